"""The JSON API under ``/api/v1``: bearer-token authentication, marshmallow schemas, one
error shape (``{"errors": [{"field", "code", "message"}]}``), page-numbered lists, and an
OpenAPI document built from the same schemas the views use.
"""
