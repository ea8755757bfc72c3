"""Tools around training: the autograd-graph drawing, plots, the model summary table."""

from .graph import draw_graph, to_dot
