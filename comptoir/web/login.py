"""The login page, throttled: failed attempts are limited per account and per address.

Limits (failures within 15 minutes): 10 for one account, whichever address they come from,
so that a password cannot be guessed by spreading tries; 50 from one IP address, whichever
accounts they name. A throttled attempt is refused even with the right password, answers
429 and says how long to wait. Successful logins count nothing.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils.translation import ngettext

from comptoir.core.ratelimit import rate_limit_hit, rate_limit_peek
from comptoir.web.forms import LoginForm

WINDOW_SECONDS = 15 * 60
ACCOUNT_LIMIT = 10
ADDRESS_LIMIT = 50


def client_address(request) -> str:
    """The visitor's IP. Behind the TLS proxy (COMPTOIR_BEHIND_PROXY) every request comes
    from the proxy, which appends the real address last to X-Forwarded-For."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def _limits(request) -> list[tuple[str, int]]:
    account = (request.POST.get("username") or "").strip().lower()[:150]
    return [
        (f"login:account:{account}", ACCOUNT_LIMIT),
        (f"login:ip:{client_address(request)}", ADDRESS_LIMIT),
    ]


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        waits = [
            verdict.retry_after
            for key, limit in _limits(request)
            if not (
                verdict := rate_limit_peek(key=key, limit=limit, window_seconds=WINDOW_SECONDS)
            ).allowed
        ]
        if waits:
            return self._throttled(max(waits))
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        for key, limit in _limits(self.request):
            rate_limit_hit(key=key, limit=limit, window_seconds=WINDOW_SECONDS)
        return super().form_invalid(form)

    def _throttled(self, retry_after: int):
        minutes = max(1, -(-retry_after // 60))
        form = self.get_form()
        form.throttle_message = ngettext(
            "Too many failed attempts. Try again in %(minutes)d minute.",
            "Too many failed attempts. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
        form.is_valid()  # fills form.errors with the message; no password is checked
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        response["Retry-After"] = str(retry_after)
        return response
