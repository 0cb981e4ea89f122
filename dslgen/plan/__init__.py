"""The plan: what a run executes, as frozen data. The runtime (runner, stages, sim,
validate, export) imports this package, never the compiler."""
from dslgen.plan.plan import Plan, SeedData
from dslgen.plan.stages import (
    STAGE_TYPES,
    ExpandToolsStage,
    ExportStage,
    GenerateTasksStage,
    ReturnSchemasStage,
    SimulateStage,
    Stage,
    ValidateStage,
)

__all__ = ["STAGE_TYPES", "ExpandToolsStage", "ExportStage", "GenerateTasksStage", "Plan", "ReturnSchemasStage",
           "SeedData", "SimulateStage", "Stage", "ValidateStage"]
