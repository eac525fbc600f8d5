"""People and access: users with one role each, sign-in, API tokens, and the rule of who may
use which view.

Every view and API endpoint declares its audience with ``allow(...)`` (or ``public``); a test
walks the URL map and fails on any route that declares nothing. Brand users are confined to
their own brand: other brands' pages answer 404 so that their existence does not leak.
"""
