"""A lender's book: many SROI programmes with shared assumptions, simulated together.

Modules: :mod:`sroi.portfolio.book` (:class:`Portfolio` and its streaming simulation),
:mod:`sroi.portfolio.programme` (:class:`Programme`: an analysis with its key, borrower, payer
and loan terms), :mod:`sroi.portfolio.streams` (the random streams: shared parameters drawn
once per draw for the book, the rest per programme), :mod:`sroi.portfolio.tasks` (a task and
its mergeable partial result), :mod:`sroi.portfolio.result` (:class:`BookSimulation`: book
and programme summaries, the book's and each borrower's credit line, concentration, display).
The method is docs/method.md §13.

Examples
--------
>>> import sroi
>>> from sroi.portfolio import Portfolio
>>> a = sroi.Analysis(name="City", currency="GBP", inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
...     parameters={"take_up": sroi.Uniform(0.2, 0.6)},
...     outcomes=[sroi.Outcome("People", "Better", quantity="10 person", proxy="500 GBP/person",
...               quantity_factors=(sroi.Ref("take_up"),))])
>>> book = Portfolio([("north", a), ("south", a)])
>>> sim = book.simulate(2048, seed=3)
>>> bool((sim.ratio == book.simulate(2048, seed=3, chunk_size=1024).ratio).all())
True
"""

from sroi.portfolio.book import PROGRAMMES_PER_TASK, Portfolio
from sroi.portfolio.programme import Programme
from sroi.portfolio.result import BookSimulation, html_section

__all__ = ["PROGRAMMES_PER_TASK", "BookSimulation", "Portfolio", "Programme", "html_section"]
