"""站内信: notices to the people a case is waiting for, and to the party a document is served to."""
