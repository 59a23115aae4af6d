"""Accounts, roles and sessions of the web workbench (library layer: no web framework here).

Users, their Argon2 password hashes and their sessions live in the workspace database
(:mod:`armswatch.auth.schema`, migration ``0004_users``); every change is written to the audit log.
"""
