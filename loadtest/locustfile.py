"""Locust's readers for bin/loadtest: the benchmark's GraphQL queries, mixed.

The mix, its variables and what counts as a failure are in tools/loadtest.py;
bin/loadtest writes the plan (LOADTEST_PLAN) and runs this file headless.
"""

import os

from locust import FastHttpUser, between, task

from tools.loadtest import ReadMix, read_problem

MIX = ReadMix(os.environ["LOADTEST_PLAN"])


class Reader(FastHttpUser):
    wait_time = between(*MIX.wait)
    network_timeout = 30.0
    connection_timeout = 10.0

    @task
    def read(self):
        name, body = MIX.next()
        with self.client.post("/graphql/", json=body, name=name, catch_response=True) as answer:
            problem = read_problem(answer.status_code, answer.content)
            if problem:
                answer.failure(problem)
