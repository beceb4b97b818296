"""Feedback and service requests answered by email, satisfaction surveys, and satisfaction as a measure."""
