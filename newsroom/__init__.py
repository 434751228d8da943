"""Newsroom: articles, reader comments and their moderation, for Django."""
