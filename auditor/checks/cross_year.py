"""Rules comparing a report with last year's."""
