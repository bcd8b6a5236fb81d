"""The floor every room stands on: the parsed configuration and the errors of start-up.

Imports nothing else of telephony.
"""
