"""What every page says about itself in <head>: the favicon and a description for search."""

from django.contrib.staticfiles import finders

FAVICON = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
DEFAULT_DESCRIPTION = (
    '<meta name="description" content="Apply for Serious Violence Duty grants from the Office '
    "of the Police and Crime Commissioner, follow your applications, and read the "
    "Commissioner's published decisions.\">"
)


def test_every_page_links_the_favicon_which_exists(client, db):
    for path in ("/", "/decisions/", "/accessibility/", "/accounts/login/"):
        assert FAVICON in client.get(path).content.decode(), path
    favicon = finders.find("favicon.svg")
    assert favicon is not None
    with open(favicon, encoding="utf-8") as svg:
        assert svg.read().startswith('<svg xmlns="http://www.w3.org/2000/svg"')


def test_pages_without_their_own_description_get_the_default(client, db):
    for path in ("/accessibility/", "/accounts/login/"):
        html = client.get(path).content.decode()
        assert DEFAULT_DESCRIPTION in html, path
        assert html.count('<meta name="description"') == 1


def test_public_lists_describe_themselves(client, db):
    register = client.get("/decisions/").content.decode()
    assert (
        '<meta name="description" content="Search the Police and Crime Commissioner\'s '
        'published decision records by reference, title or text.">'
    ) in register
    funding = client.get("/funding/").content.decode()
    assert (
        '<meta name="description" content="Funding rounds of the Office of the Police and Crime '
        'Commissioner: what is open for applications, who can apply and when each round closes.">'
    ) in funding
