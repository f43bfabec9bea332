"""The draft-order form (C13): lines picked from the catalogue or typed freely, shipping,
discount and an internal note.

The form only parses what staff typed into what `draft_order_create` takes; the service
computes the totals and judges them (a discount larger than the order, say), and its
refusal is put back on the field it concerns.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.commerce.inputs import MAX_QUANTITY
from comptoir.commerce.models import Product
from comptoir.commerce.services import DRAFT_NOTE_MAX
from comptoir.web.directory_forms import ServiceErrorsMixin
from comptoir.web.templatetags.comptoir_format import money

LINES_SHOWN = 3  # rows offered at first; "Add a line" adds one more, up to MAX_LINES
MAX_LINES = 50


def _money_field(label) -> forms.DecimalField:
    """An optional amount of at most what an order's money columns hold."""
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


class DraftLineForm(forms.Form):
    product = forms.ChoiceField(label=_("Product"), required=False)
    title = forms.CharField(label=_("Title"), required=False, max_length=255)
    price = _money_field(_("Unit price"))
    quantity = forms.IntegerField(
        label=_("Quantity"), required=False, initial=1, min_value=1, max_value=MAX_QUANTITY
    )

    def __init__(self, *args, products: dict[str, Product], currency: str, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.products = products
        self.fields["product"].choices = [
            ("", _("— None: a free title —")),
            *(
                (key, f"{product.name} ({money(product.price, currency)})")
                for key, product in products.items()
            ),
        ]
        for name in self.fields:
            self.fields[name].widget.attrs["aria-describedby"] = "draft-lines-help"

    def has_changed(self) -> bool:
        """A row is a line once it names a product, a title or a price; its quantity alone
        (1 until changed) does not make one, so rows left empty are skipped."""
        return any(self[name].data not in (None, "") for name in ("product", "title", "price"))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data  # a field's own error says enough
        product = self.products.get(data["product"])
        if product is None and not data["title"]:
            self.add_error("title", _("Choose a product or type a title."))
        if data["price"] is None:
            if product is not None:
                data["price"] = product.price
            else:
                self.add_error("price", _("Give the price of an item outside the catalogue."))
        if data["quantity"] is None:
            self.add_error("quantity", _("Give a quantity of at least 1."))
        return data

    def item(self) -> dict:
        data = self.cleaned_data
        return {
            "product_id": data["product"] or None,
            "name": data["title"],
            "quantity": data["quantity"],
            "price": data["price"],
        }


class BaseDraftLineFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not self.items():
            raise forms.ValidationError(_("Add at least one line."))

    def items(self) -> list[dict]:
        """The filled lines, in order; rows left empty are skipped."""
        return [form.item() for form in self.forms if form.has_changed() and form.cleaned_data]


DraftLineFormSet = forms.formset_factory(
    DraftLineForm,
    formset=BaseDraftLineFormSet,
    extra=LINES_SHOWN,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES,
    validate_max=True,
)


class DraftOrderForm(ServiceErrorsMixin, forms.Form):
    # The service's one refusal of money a valid form lets through: a discount larger than
    # the order.
    error_fields = {"invalid_money": "discount", "invalid_note": "note"}

    shipping = _money_field(_("Shipping"))
    discount = _money_field(_("Discount"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=DRAFT_NOTE_MAX,
        help_text=_("Internal: never shown to the customer."),
        widget=forms.Textarea(attrs={"rows": 2, "aria-describedby": "id_note_helptext"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)


def draft_forms(data, *, products: list[Product], currency: str, add_line: bool = False):
    """The order form and its lines, bound to `data` when given. With `add_line`, the lines
    come back with one more empty row (quantity 1); the page then shows no errors, since
    nothing was submitted yet."""
    by_key = {product.external_id: product for product in products}
    if data is not None and add_line:
        data = data.copy()
        key = "lines-TOTAL_FORMS"
        shown = int(data[key]) if str(data.get(key, "")).isdigit() else 0
        shown = min(max(shown, LINES_SHOWN), MAX_LINES - 1)
        data[key] = str(shown + 1)
        data[f"lines-{shown}-quantity"] = "1"
    lines = DraftLineFormSet(
        data, prefix="lines", form_kwargs={"products": by_key, "currency": currency}
    )
    return DraftOrderForm(data), lines
