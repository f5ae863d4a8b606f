"""Shared by the Python tests: where the bundled data and examples are."""

import os

DATA_DIR = os.environ.get("REDRESS_DATA_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "data"))
EXAMPLES_DIR = os.environ.get("REDRESS_EXAMPLES_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
CN_CALENDAR = os.path.join(DATA_DIR, "calendars", "cn.json")
RETAILER_POLICY = os.path.join(EXAMPLES_DIR, "policies", "electronics-retailer.json")

CONTACT = {"at": "2025-01-24T15:00:00+08:00", "type": "contact_received", "channel": "phone",
           "text": "The TV has no picture"}
