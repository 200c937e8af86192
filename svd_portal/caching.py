"""What shared caches may keep. A response to someone signed in is theirs alone: it says
`Cache-Control: private`, so that no reverse proxy or CDN in front of the portal keeps it
and hands it to someone else."""

from django.utils.cache import patch_cache_control


class PrivateWhenSignedInMiddleware:
    """Marks every response to a signed-in person private, unless the view already said
    more (a confidential download's `private, no-store`, a status page's no-cache)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Read before the view: the API replaces request.user with its own (anonymous) one.
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        response = self.get_response(request)
        if not signed_in:
            return response
        said = response.get("Cache-Control", "")
        if not said:
            response["Cache-Control"] = "private"
        elif "private" not in said and "no-store" not in said:
            patch_cache_control(response, private=True)
        return response
