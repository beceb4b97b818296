"""Automations on the campaign engine: triggers planned into keyed runs, due runs turned into deliveries."""
