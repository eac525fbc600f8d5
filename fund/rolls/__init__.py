"""Payroll rolls stored as immutable versions per factory.

``imports`` reads and checks the file; ``services.import_roll`` adds the checks that need the
database (a national ID already on another factory's current roll) and stores the roll whole
or not at all. Stored rolls and their workers are never updated or deleted: the database
refuses it (``guards``). A new file is a new version; the newest is the factory's current roll.
"""
