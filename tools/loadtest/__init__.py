"""bin/loadtest: a locust run on gunicorn with an archivist saving and, with
``--faults``, a killed worker and PostgreSQL restarted; afterwards every save is
checked against the database and its history.

``__main__`` prepares the database and gunicorn and runs ``locustfile``, whose
users do the load and whose ``quitting`` listener runs ``checks`` and prints
``summary``; ``faults`` injects the faults.
"""
