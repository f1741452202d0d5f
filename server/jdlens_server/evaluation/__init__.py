"""Evaluation of jdlens against labelled data sets (formats in the eval-dev README)."""
