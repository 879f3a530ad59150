"""Full-text search: one index over every contribution, organisation, network and law.

Models describe themselves with the `Searchable` mixin; changes reach the index through a
durable outbox written in the same transaction; one writer applies them.
"""
