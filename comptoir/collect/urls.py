from django.urls import path

from comptoir.collect import views

# Under /s/<token>/: the token is the whole secret, so every address dies with it.
urlpatterns = [
    path("", views.signup_page, name="signup_page"),
    path("widget/", views.signup_widget, name="signup_widget"),
    path("widget.js", views.widget_script, name="signup_widget_script"),
    path("qr.<str:fmt>", views.signup_qr, name="signup_qr"),
    path("poster.pdf", views.signup_poster, name="signup_poster"),
    path("contact/", views.contact_form, name="signup_contact"),
]
