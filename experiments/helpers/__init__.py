"""Code shared by the experiment scripts (run logs, argument types, one logged training run).

Not scripts themselves: run the files in experiments/ instead.
"""
