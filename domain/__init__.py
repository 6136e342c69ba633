"""The domain of Portfolio Ledger: aggregates, events, commands and the ledger application.

It imports nothing from the other layers, nor any web, optimisation or data-frame library.
"""
