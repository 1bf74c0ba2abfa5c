"""The SQL of ``PostgresEssaySettler``, the per-essay callback's fast path (the port
``protocols.EssaySettler``): one read, then one statement that is the whole transition (its
own implicit transaction, so one round trip including the commit).

Kept apart from the adapter so the benchmark's probe times the very statement the service
runs.
"""

from __future__ import annotations

from functools import cache

# The essay (unlocked: the write below is a compare-and-set on its version) with the phase
# run its callback belongs to.
READ_ESSAY_WITH_RUN = """
SELECT e.*, r.status AS run_status, r.essay_count AS run_essay_count,
       r.open_essays AS run_open_essays, r.settings AS run_settings,
       r.last_phase AS run_last_phase, r.created_at AS run_created_at,
       r.reported_at AS run_reported_at
FROM essays e
LEFT JOIN phase_runs r ON r.batch_id = e.batch_id AND r.phase = $2 AND r.attempt = $3
WHERE e.id = $1
"""

# Fixed parameters of SETTLE; the changed essay columns follow from $13 on.
SETTLE_FIXED_PARAMETERS = 12


@cache
def settle_statement(columns: tuple[str, ...]) -> str:
    """Apply an essay's transitions and count it out of its run, all or nothing.

    Locks are taken in the order every other path takes them (the essay, then the run), and
    only for the statement and its commit. Nothing is written when the essay is no longer at
    the version the transitions were computed from, or when the run does not let it settle
    alone (``PhaseRun.settles_alone``, the domain's rule: ``status = 'running' AND
    open_essays > 1`` here): the run has reported, or this essay is its last open one, whose
    outcome must be written in the same transaction, so that case goes through the full
    unit of work. Returns one row (the
    run's open essays afterwards) when it wrote, none when it did not.

    Only the columns the transitions changed are written, so a concurrent change to another
    column (a batch registration setting the language) is not overwritten.

    $1 essay id, $2 expected version, $3-$5 run key (batch, phase, attempt), $6-$12 the
    timeline rows as parallel arrays (sequence, event, from, to, details JSON, correlation
    id, time), $13… the changed columns in ``columns`` order.
    """
    first = SETTLE_FIXED_PARAMETERS + 1
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(columns, start=first))
    return f"""
WITH locked AS (
    SELECT id FROM essays WHERE id = $1 AND version = $2 FOR UPDATE
), counted AS (
    UPDATE phase_runs SET open_essays = open_essays - 1
    WHERE batch_id = $3 AND phase = $4 AND attempt = $5 AND status = 'running'
      AND open_essays > 1 AND EXISTS (SELECT FROM locked)
    RETURNING open_essays
), saved AS (
    UPDATE essays SET {assignments}
    WHERE id = $1 AND EXISTS (SELECT FROM counted)
    RETURNING id
), logged AS (
    INSERT INTO essay_events
        (essay_id, sequence, event, from_status, to_status, details, correlation_id, at)
    SELECT $1, t.sequence, t.event, t.from_status::essay_status, t.to_status::essay_status,
           t.details::jsonb, t.correlation_id, t.at
    FROM unnest($6::int[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                $12::timestamptz[])
        AS t(sequence, event, from_status, to_status, details, correlation_id, at)
    WHERE EXISTS (SELECT FROM saved)
)
SELECT open_essays FROM counted
"""
