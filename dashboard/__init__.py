"""The Streamlit dashboard: a router (`app.py`), one module per page, a data layer."""
