"""Entitlements: what each worker on an event's roll is owed, and why.

``policy`` parses the versioned TOML policies, ``rules`` applies them to roll rows without a
database (exact fractions, one rounding per worker), ``services`` stores runs of them against
an event, ``cli`` offers the stateless ``preview`` and the stored ``compute``.
"""
