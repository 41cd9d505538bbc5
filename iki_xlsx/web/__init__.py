"""The operator's web app: the whole job in a browser, in Bahasa Indonesia (`iki-xlsx web`)."""

from iki_xlsx.web.app import create_app
from iki_xlsx.web.site import Site, find_site, open_site

__all__ = ["Site", "create_app", "find_site", "open_site"]
