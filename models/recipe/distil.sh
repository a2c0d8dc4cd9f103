#!/bin/bash
# Reproduces the bundled model: five teachers trained from scratch (the dim-128 recipe at seeds 0-3 and one dim-256
# run), then a dim-256 student distilled from their averaged probabilities. Everything goes to $1 (default
# /tmp/sst2-distil); then: /usr/bin/python3 models/recipe/export.py --work $1/student --out models/distilbert-sst2-small
# Run from the repository root. ~70 min on one idle core for the teachers, ~25 min for the student; two teachers
# can run at once on two cores (one torch thread each: OPENBLAS_NUM_THREADS=1).
set -euo pipefail
W=${1:-/tmp/sst2-distil}
STUDENT_SEED=${STUDENT_SEED:-12}
KD_ALPHA=${KD_ALPHA:-0.9}
export OPENBLAS_NUM_THREADS=1
train() { /usr/bin/python3 models/recipe/train.py --mlm-steps 0 --dropout 0.2 --classif-dropout 0.3 --weight-decay 0.05 --threads 1 "$@"; }
mkdir -p "$W"
for seed in 0 1 2 3; do
  [ -f "$W/s$seed/best.pt" ] || train --work "$W/s$seed" --dim 128 --layers 4 --heads 4 --hidden 512 --ft-steps 861 --ft-lr 3e-4 --seed $seed > "$W/s$seed.log" 2>&1
done
[ -f "$W/d256/best.pt" ] || train --work "$W/d256" --dim 256 --layers 4 --heads 4 --hidden 1024 --ft-steps 1200 --ft-lr 2e-4 > "$W/d256.log" 2>&1
train --work "$W/student" --dim 256 --layers 4 --heads 4 --hidden 1024 --ft-steps 2000 --ft-lr 3e-4 --seed "$STUDENT_SEED" \
  --teachers "$W/s0,$W/s1,$W/s2,$W/s3,$W/d256" --teacher-cache "$W/teacher_probs.pt" --kd-alpha "$KD_ALPHA" > "$W/student.log" 2>&1
grep "best dev accuracy" "$W/student.log"
