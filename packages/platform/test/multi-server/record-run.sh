#!/bin/sh
# Fixture of the several-servers test: one line per start of a run (run id, server), then a short piece of work.
echo "$GANGPLANK_RUN_ID $GP_SERVER" >> "$GP_RECORD_FILE"
sleep 0.3
