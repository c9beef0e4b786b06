"""Code shared by the learners' scripts of experiments/ and the workshop's tools of workshop/ (run
folders and logs, argument types, one logged training run).

Not scripts themselves: run the files in experiments/ instead.
"""
