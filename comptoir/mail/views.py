"""Public tracking endpoints (T1): the open pixel and the click redirect. Hostile input
surfaces: a bad token is a plain 404, and the redirect only goes where the e-mail did."""

import base64

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.views.decorators.cache import never_cache

from comptoir.mail.models import Delivery
from comptoir.mail.services import delivery_clicked, delivery_opened
from comptoir.mail.tracking import read_click_token, read_open_token

# The smallest transparent GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
def track_open(request, token: str):
    delivery_id = read_open_token(token)
    if delivery_id is None:
        raise Http404
    delivery_opened(
        delivery_id=delivery_id,
        user_agent=request.headers.get("User-Agent", "")[:500],
        ip=request.META.get("REMOTE_ADDR"),
    )
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
def track_click(request, token: str):
    found = read_click_token(token)
    if found is None:
        raise Http404
    delivery_id, url = found
    delivery = Delivery.objects.filter(pk=delivery_id).only("id", "links", "workspace_id").first()
    if delivery is None or url not in delivery.links or not url.startswith(("http://", "https://")):
        raise Http404
    delivery_clicked(
        delivery=delivery,
        url=url,
        user_agent=request.headers.get("User-Agent", "")[:500],
        method=request.method,
    )
    return HttpResponseRedirect(url)
