"""Who hears that an order or a cart was written, once commerce's transaction commits (A1,
A3, A6). The automations act on it, but commerce may not import them (automations import
commerce: no cycle between apps): they sign up here when they load (AutomationsConfig),
as they sign up their content with the mail pipeline."""

from collections.abc import Callable

_order_written: list[Callable[..., object]] = []
_cart_changed: list[Callable[..., object]] = []


def on_order_written(listener: Callable[..., object]) -> None:
    """Call `listener(order_id=)` after each order commits."""
    _order_written.append(listener)


def on_cart_changed(listener: Callable[..., object]) -> None:
    """Call `listener(cart_id=)` after each cart change commits."""
    _cart_changed.append(listener)


def order_written(*, order_id: int) -> None:
    for listener in _order_written:
        listener(order_id=order_id)


def cart_changed(*, cart_id: int) -> None:
    for listener in _cart_changed:
        listener(cart_id=cart_id)
