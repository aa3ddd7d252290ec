"""Celery: the queue routing table, the beat schedule and thin tasks that call VAL's services."""
