"""The numbers, decided by code: the playbook types, money parsing and house style, the pay-
component vocabulary, offers, the user's profile and the counter-offer engine.
"""
