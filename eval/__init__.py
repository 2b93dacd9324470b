"""Evaluation tooling for the Qiaoxi plan QA assistant."""
