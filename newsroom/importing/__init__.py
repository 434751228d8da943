"""Importing the old archive: pure parsers that turn source files into plain records.

Parsers never touch the ORM; a loader writes the records they return.
"""
