"""Dates and times as both services show them, one format per language
(``FORMAT_MODULE_PATH``): a 24-hour clock, and no format that ends in a full stop, so a
sentence that ends with a date or a time ends with one full stop only. What a format here
leaves out (the input formats, the separators) is Django's for the language.
"""
