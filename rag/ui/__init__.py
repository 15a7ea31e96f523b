"""Pages of the Streamlit app besides the chat (app.py lists them in its navigation).

Each page is a module with a ``render()`` function that only displays; what it shows
comes from rag/ (e.g. rag/eval_view.py, rag/eval_jobs.py for the 评测 page).
"""
