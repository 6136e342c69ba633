"""The planner: a pure optimisation library (PlanningProblem -> PlanResult), built in issue 4."""
