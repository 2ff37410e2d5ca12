#!/bin/sh
# mpi.sh - data-parallel training under mpirun (ganrun --with-mpi): the MPI
# pieces (check_dist), two ranks that keep byte-identical parameters, a
# two-rank checkpoint that resumes on two ranks bit for bit, two ranks that
# match one process with the same global batch, sync batchnorm in training,
# train.shards giving the same bits on 1, 2 and 4 ranks (and resuming
# across rank counts), and a rank that fails to read its data stopping the whole job.
# Skipped (77) when ganrun is built without MPI.
. "$(dirname "$0")/lib.sh"
M="$top_srcdir/models"
if ! grep -q '^#define HAVE_MPI 1' "$top_builddir/config.h" 2>/dev/null; then
    echo "SKIP: ganrun is built without MPI (./configure --with-mpi)"
    exit 77
fi
MPIRUN=${MPIRUN:-mpirun}
if ! command -v "$MPIRUN" >/dev/null 2>&1; then
    echo "SKIP: no mpirun (install the Debian package openmpi-bin)"
    exit 77
fi
# one machine, two ranks, maybe as root (containers, CI)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OPENBLAS_NUM_THREADS=1
mpi() { n=$1; shift; timeout 300 "$MPIRUN" -np "$n" --oversubscribe --bind-to none "$@"; }
lib_tmp mpi
expect() {
    want=$1; what=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    if [ "$got" -eq "$want" ]; then ok "$what"; else bad "$what (exit $got, want $want)"; cat "$tmp/out" "$tmp/err"; fi
}
# close A B TOL: |A - B| <= TOL (1 + |B|)
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b; exit !(d <= t * (1 + m)) }'; }
# column NAME of log.csv row STEP
col() { awk -F, -v c="$2" -v s="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } $1 == s { print $k }' "$1"; }

# the MPI pieces on 2 ranks (and the degenerate 1-rank case)
expect 0 "check_dist on 2 ranks" mpi 2 "$top_builddir/tests/check_dist"
cat "$tmp/out"
expect 0 "check_dist on 1 rank" mpi 1 "$top_builddir/tests/check_dist"

small="--set train.batch=64 --set output.samples=16 --set output.log_every=1 --set output.sample_every=0"

# 2 ranks: parameters stay byte-identical; rank 0 alone writes
expect 0 "2-rank training" mpi 2 "$G" train "$M/ring.yaml" --steps 30 --out "$tmp/a" $small \
    --set output.checkpoint_every=15
grep -q "2 ranks, parameters identical on every rank" "$tmp/err" && ok "parameters byte-identical on both ranks" \
    || bad "parameters byte-identical on both ranks: $(cat "$tmp/err")"
[ "$(grep -c '^ganrun: trained' "$tmp/err")" -eq 1 ] && ok "one rank reports" || bad "one rank reports"
[ "$(wc -l <"$tmp/a/log.csv")" -eq 31 ] && ok "one log, one row per step" || bad "log rows: $(wc -l <"$tmp/a/log.csv")"
"$G" info "$tmp/a/latest.ckpt" >"$tmp/info" 2>&1
grep -q "ranks *2" "$tmp/info" && ok "checkpoint records 2 ranks" || bad "checkpoint records 2 ranks: $(cat "$tmp/info")"

# a 2-rank checkpoint resumes on 2 ranks bit for bit: 15 + 15 == 30
mkdir -p "$tmp/b/ckpt" && cp "$tmp/a/ckpt/step-00000015.ckpt" "$tmp/b/ckpt/"
expect 0 "2-rank resume" mpi 2 "$G" resume "$tmp/b/ckpt/step-00000015.ckpt" --quiet
cmp -s "$tmp/a/latest.ckpt" "$tmp/b/latest.ckpt" && ok "resumed 2-rank run == straight 2-rank run, bit for bit" \
    || bad "resumed 2-rank run == straight 2-rank run"

# ... and loads on another rank count, with a note
mkdir -p "$tmp/c/ckpt" && cp "$tmp/a/ckpt/step-00000015.ckpt" "$tmp/c/ckpt/"
expect 0 "2-rank checkpoint resumes on 1 process" "$G" resume "$tmp/c/ckpt/step-00000015.ckpt" --steps 5
grep -q "written by 2 ranks and resumes on 1" "$tmp/err" && ok "rank-count note" || bad "rank-count note: $(cat "$tmp/err")"

# 2 ranks with global batch B against 1 process with B: the same data and
# noise, sums in another order
expect 0 "1-process run" "$G" train "$M/ring.yaml" --steps 3 --out "$tmp/one" $small --quiet
for s in 1 3; do
    for c in d_loss g_loss d_real d_fake; do
        a=$(col "$tmp/a/log.csv" $c $s); b=$(col "$tmp/one/log.csv" $c $s)
        close "$a" "$b" 1e-4 && ok "step $s $c: 2 ranks $a, 1 process $b" || bad "step $s $c: 2 ranks $a, 1 process $b"
    done
done

# mpirun -np 1 is the one-process run, bit for bit (same run directory:
# its name is in the checkpoint's model text)
mv "$tmp/one" "$tmp/one0"
expect 0 "1-rank mpirun" mpi 1 "$G" train "$M/ring.yaml" --steps 3 --out "$tmp/one" $small --quiet
cmp -s "$tmp/one0/latest.ckpt" "$tmp/one/latest.ckpt" && ok "mpirun -np 1 == plain run, bit for bit" \
    || bad "mpirun -np 1 == plain run"
# a one-process checkpoint goes on on 2 ranks
expect 0 "1-process checkpoint resumes on 2 ranks" mpi 2 "$G" resume "$tmp/one0/latest.ckpt" --steps 2
grep -q "written by 1 rank and resumes on 2" "$tmp/err" && grep -q "parameters identical" "$tmp/err" \
    && ok "1 -> 2 ranks: note, identical parameters" || bad "1 -> 2 ranks: $(cat "$tmp/err")"

# sync batchnorm in training: 2 ranks match one process (whole-batch statistics)
sed -e 's/^  - relu$/  - batchnorm: {sync: true}\n  - relu/' "$M/ring.yaml" >"$tmp/bn.yaml"
grep -q "sync: true" "$tmp/bn.yaml" || bad "bn model"
expect 0 "2-rank sync batchnorm training" mpi 2 "$G" train "$tmp/bn.yaml" --steps 2 --out "$tmp/bn2" $small
grep -q "parameters identical" "$tmp/err" && ok "sync batchnorm: parameters identical" || bad "sync batchnorm: parameters identical"
expect 0 "1-process batchnorm training" "$G" train "$tmp/bn.yaml" --steps 2 --out "$tmp/bn1" $small --quiet
for c in d_loss g_loss; do
    a=$(col "$tmp/bn2/log.csv" $c 1); b=$(col "$tmp/bn1/log.csv" $c 1)
    close "$a" "$b" 1e-4 && ok "sync batchnorm step 1 $c: 2 ranks $a, 1 process $b" || bad "sync batchnorm $c: $a vs $b"
done

# wgan-gp: the penalty's interpolation weights are drawn globally too, so
# the first critic update matches one process (later ones drift further
# than with bce: Adam's first steps take the sign of gradients that the
# penalty's central difference leaves with larger rounding errors)
gp="--set train.schedule.d_steps=1"
expect 0 "2-rank wgan-gp" mpi 2 "$G" train "$M/wgan-gp.yaml" --steps 1 --out "$tmp/w2" $small $gp --quiet
expect 0 "1-process wgan-gp" "$G" train "$M/wgan-gp.yaml" --steps 1 --out "$tmp/w1" $small $gp --quiet
for c in d_loss d_real d_fake d_grad_norm; do
    a=$(col "$tmp/w2/log.csv" $c 1); b=$(col "$tmp/w1/log.csv" $c 1)
    close "$a" "$b" 1e-4 && ok "wgan-gp first critic step $c: 2 ranks $a, 1 process $b" || bad "wgan-gp $c: $a vs $b"
done

# dropout: rank 1's masks come from (seed, rank, step), so resuming needs
# no state of rank 1's: 5 + 5 == 10 on 2 ranks, bit for bit
awk '/^discriminator:/ { d = 1 } /^train:/ { d = 0 } { print } d && /^  - relu$/ { print "  - dropout: {p: 0.3}" }' \
    "$M/ring.yaml" >"$tmp/drop.yaml"
grep -q "dropout" "$tmp/drop.yaml" || bad "dropout model"
expect 0 "2-rank dropout training" mpi 2 "$G" train "$tmp/drop.yaml" --steps 10 --out "$tmp/d" $small \
    --set output.checkpoint_every=5
grep -q "parameters identical" "$tmp/err" && ok "dropout: parameters identical" || bad "dropout: parameters identical"
mkdir -p "$tmp/d2/ckpt" && cp "$tmp/d/ckpt/step-00000005.ckpt" "$tmp/d2/ckpt/"
expect 0 "2-rank dropout resume" mpi 2 "$G" resume "$tmp/d2/ckpt/step-00000005.ckpt" --quiet
cmp -s "$tmp/d/latest.ckpt" "$tmp/d2/latest.ckpt" && ok "dropout: resumed == straight, bit for bit" \
    || bad "dropout: resumed == straight"

# train.shards: the same bits on 1, 2 and 4 ranks.  DCGAN with synced
# batchnorm in G and D, the ring with dropout, that ring with R3GAN's
# rpgan, R1 and R2, and models/r3gan.yaml; checkpoints agree in
# every section but BILD, MODL (the run directory) and DIST (the rank
# count), and so do samples; a 4-rank checkpoint resumes on 2 ranks and on
# 1 process bit for bit.
state() { "$G" info "$1" | grep -o "'[A-Z ]*' .*crc32 [0-9a-f]*" | grep -v "^'BILD'\|^'MODL'\|^'DIST'" \
    | sed 's/ ([0-9]* compressed)//'; }
sed -e 's/batchnorm: {}/batchnorm: {sync: true}/' "$M/dcgan.yaml" >"$tmp/dcsync.yaml"
grep -q "sync: true" "$tmp/dcsync.yaml" || bad "synced dcgan model"
# R3GAN's recipe (issue 26): rpgan with R1 and R2 on, on the dropout ring
# (rpgan's second pass over the reals replays each shard's dropout stream)
# and on models/r3gan.yaml (grouped conv, resample; R1 every 2nd D step)
sed -e 's/loss: bce/loss: rpgan\n  r1: {gamma: 0.5}\n  r2: {gamma: 0.3, every: 3}/' "$tmp/drop.yaml" >"$tmp/droprp.yaml"
grep -q "r2: {gamma" "$tmp/droprp.yaml" || bad "rpgan dropout model"
sed -e 's/r1: {gamma: \([0-9.]*\), every: [0-9]*/r1: {gamma: \1, every: 2/' \
    -e 's/r2: {gamma: \([0-9.]*\), every: [0-9]*/r2: {gamma: \1, every: 1/' "$M/r3gan.yaml" >"$tmp/r3.yaml"
grep -q "r1: {gamma: [0-9.]*, every: 2" "$tmp/r3.yaml" && grep -q "r2: {gamma: [0-9.]*, every: 1" "$tmp/r3.yaml" \
    || bad "r3gan model with R1 every 2, R2 every 1"
sh="--set train.shards=4 --set output.sample_every=0 --quiet"
for model in dcsync drop droprp r3; do
    steps=4; [ "$model" = drop ] || [ "$model" = droprp ] && steps=10
    for n in 1 2 4; do
        expect 0 "$model, 4 shards on $n ranks" mpi "$n" "$G" train "$tmp/$model.yaml" --steps $steps \
            --out "$tmp/s-$model-$n" $sh --set output.checkpoint_every=$((steps / 2))
        state "$tmp/s-$model-$n/latest.ckpt" >"$tmp/s-$model-$n.state"
        "$G" sample "$tmp/s-$model-$n" -n 16 --seed 3 -o "$tmp/s-$model-$n.npy" 2>/dev/null
        [ "$n" = 1 ] && continue
        cmp -s "$tmp/s-$model-1.state" "$tmp/s-$model-$n.state" && cmp -s "$tmp/s-$model-1.npy" "$tmp/s-$model-$n.npy" \
            && ok "$model, 4 shards: $n ranks give the checkpoint state and samples of 1" \
            || bad "$model, 4 shards: $n ranks against 1: $(diff "$tmp/s-$model-1.state" "$tmp/s-$model-$n.state" | tr '\n' ' ')"
    done
    mid=$(ls "$tmp/s-$model-4/ckpt" | head -n 1)
    for n in 2 1; do
        mkdir -p "$tmp/r-$model-$n/ckpt" && cp "$tmp/s-$model-4/ckpt/$mid" "$tmp/r-$model-$n/ckpt/"
        expect 0 "$model: 4-rank $mid resumes on $n" mpi "$n" "$G" resume "$tmp/r-$model-$n/ckpt/$mid"
        grep -q "not bit for bit" "$tmp/err" && bad "$model: a sharded resume warns of other bits"
        state "$tmp/r-$model-$n/latest.ckpt" >"$tmp/r-$model-$n.state"
        cmp -s "$tmp/s-$model-1.state" "$tmp/r-$model-$n.state" \
            && ok "$model: $mid of 4 ranks resumed on $n == straight run, bit for bit" \
            || bad "$model: $mid of 4 ranks resumed on $n"
    done
done
# shards that the ranks cannot share
expect 1 "shards not divisible by the ranks" mpi 4 "$G" train "$M/ring.yaml" --steps 2 --out "$tmp/h" \
    --set train.shards=2 --quiet
grep -q "train.shards 2 does not divide among 4 ranks" "$tmp/err" && ok "shards divisibility message" \
    || bad "shards divisibility message: $(cat "$tmp/err")"

# a rank that cannot read its data stops the job, one message from rank 0
GANRUN_TEST_FAIL_RANK=1 expect 1 "rank 1 failing to load stops the job" mpi 2 "$G" train "$M/ring.yaml" \
    --steps 5 --out "$tmp/f" $small
grep -q "error: rank 1: cannot read the data set" "$tmp/err" && [ "$(grep -c error "$tmp/err")" -eq 1 ] \
    && ok "one error line names rank 1" || bad "one error line names rank 1: $(cat "$tmp/err")"
# a rank that dies (SIGKILL) ends the job instead of leaving rank 0 waiting
timeout 120 "$MPIRUN" -np 2 --oversubscribe --bind-to none "$G" train "$M/ring.yaml" --steps 1000000 \
    --out "$tmp/k" $small --quiet >"$tmp/out" 2>&1 &
job=$!
victim=
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    sleep 1
    [ -f "$tmp/k/log.csv" ] || continue
    launcher=$(pgrep -P "$job" | head -n 1)            # timeout -> mpirun -> ranks
    [ -n "$launcher" ] && victim=$(pgrep -P "$launcher" ganrun | tail -n 1)
    [ -n "$victim" ] && break
done
[ -n "$victim" ] && kill -KILL "$victim"
wait "$job"; got=$?
[ -n "$victim" ] && [ "$got" -ne 0 ] && [ "$got" -ne 124 ] && ok "a killed rank ends the job (exit $got)" \
    || bad "a killed rank ends the job (victim '$victim', exit $got)"
# a batch the ranks cannot share
expect 1 "batch not divisible by the ranks" mpi 2 "$G" train "$M/ring.yaml" --steps 5 --out "$tmp/g" \
    --set train.batch=63 --quiet
grep -q "divide by the 2 ranks" "$tmp/err" && ok "divisibility message" || bad "divisibility message: $(cat "$tmp/err")"

echo "mpi.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
