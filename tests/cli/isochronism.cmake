# Isochronism method (isochronism.txt): deck errors in [isochronism], and a
# run interrupted by a checkpoint continuing bit for bit under --restart.
set(ISO_WORK ${WORK}/isochronism)
file(MAKE_DIRECTORY ${ISO_WORK})
set(ISO_HEAD "[run]\nname = \"iso\"\noutput_dir = \".\"\nstages = [\"train\"]\nmethod = \"isochronism\"\n")
file(WRITE ${ISO_WORK}/misspelt.toml "${ISO_HEAD}\n[isochronism]\nlearning_rat = 0.1\n")
file(WRITE ${ISO_WORK}/late_snapshot.toml "${ISO_HEAD}\n[isochronism]\nepochs = 5\nsnapshot_epochs = [0, 6]\n")
file(WRITE ${ISO_WORK}/two_equilibria.toml "${ISO_HEAD}\n[isochronism]\nequilibrium = [0.0, 1.0]\n")
file(WRITE ${ISO_WORK}/odd_and_pinned.toml
     "${ISO_HEAD}\n[isochronism]\nsymmetry = \"odd\"\nequilibrium = [0.0]\n")
file(WRITE ${ISO_WORK}/bad_symmetry.toml "${ISO_HEAD}\n[isochronism]\nsymmetry = \"even\"\n")
file(WRITE ${ISO_WORK}/bad_stepper.toml "${ISO_HEAD}\n[isochronism]\nstepper = \"rk5\"\n")
file(WRITE ${ISO_WORK}/evaluate_only.toml
     "[run]\nname = \"never_trained\"\noutput_dir = \".\"\nstages = [\"evaluate\"]\nmethod = \"isochronism\"\n")
file(WRITE ${ISO_WORK}/with_generate.toml
     "[run]\nname = \"iso\"\noutput_dir = \".\"\nstages = [\"generate\"]\nmethod = \"isochronism\"\n")
cli_test(isochronism_misspelt_key 2 "misspelt.toml:8: unknown key 'learning_rat' in .isochronism.. did you mean 'learning_rate'"
         check ${ISO_WORK}/misspelt.toml)
cli_test(isochronism_late_snapshot 2 "\\[isochronism\\] snapshot_epochs: epoch 6 is after the last epoch"
         check ${ISO_WORK}/late_snapshot.toml)
cli_test(isochronism_bad_stepper 2 "\\[isochronism\\] stepper: value \"rk5\" is not allowed"
         check ${ISO_WORK}/bad_stepper.toml)
cli_test(isochronism_two_equilibria 2 "\\[isochronism\\] equilibrium: 2 values for a force of dimension 1"
         check ${ISO_WORK}/two_equilibria.toml)
cli_test(isochronism_odd_and_pinned 2 "symmetry = \"odd\" with equilibrium = .*remove equilibrium"
         check ${ISO_WORK}/odd_and_pinned.toml)
cli_test(isochronism_bad_symmetry 2 "\\[isochronism\\] symmetry: value \"even\" is not allowed"
         check ${ISO_WORK}/bad_symmetry.toml)
cli_test(isochronism_no_dataset 2 "learns without a dataset" run ${ISO_WORK}/with_generate.toml)
cli_test(isochronism_check_paper 0 "\\[isochronism\\]" check ${PROJECT_SOURCE_DIR}/inputs/isochronism/paper.toml)
cli_test(isochronism_evaluate_untrained 2 "does not exist: run the train stage first"
         run ${ISO_WORK}/evaluate_only.toml)

# A run trained with the unconstrained force and evaluated with symmetry =
# "odd" (the same θ, another force) is refused.
file(WRITE ${ISO_WORK}/trained_none.toml "[run]\nname = \"iso_sym\"\noutput_dir = \".\"\n"
     "stages = [\"train\"]\nmethod = \"isochronism\"\n\n[isochronism]\npoints = 4\nshards = 2\n"
     "steps = 5\nepochs = 1\nsnapshot_epochs = [0]\nportrait_points = 2\nportrait_samples = 4\n")
file(WRITE ${ISO_WORK}/evaluate_odd.toml "[run]\nname = \"iso_sym\"\noutput_dir = \".\"\n"
     "stages = [\"evaluate\"]\nmethod = \"isochronism\"\n\n[isochronism]\nsymmetry = \"odd\"\n"
     "points = 4\nshards = 2\nsteps = 5\nepochs = 1\nsnapshot_epochs = [0]\nportrait_points = 2\n"
     "portrait_samples = 4\n")
add_test(NAME cli_isochronism_symmetry_mismatch
         COMMAND sh -c "rm -f iso_sym_*; ${DYNLEARN} run -q trained_none.toml && ${DYNLEARN} run -q evaluate_odd.toml; \
echo exit=$?"
         WORKING_DIRECTORY ${ISO_WORK})
set_tests_properties(cli_isochronism_symmetry_mismatch PROPERTIES LABELS cli ENVIRONMENT "${DYNLEARN_MPI_ENV}"
                     PASS_REGULAR_EXPRESSION "trained with symmetry = \"none\", but .isochronism. has symmetry = \"odd\".*exit=2")

# Restart: a run checkpointed half way, continued with --restart, ends with
# the same bits as the uninterrupted run.
file(WRITE ${ISO_WORK}/restart.toml "[run]\nname = \"iso_restart\"\noutput_dir = \".\"\nseed = 3\n"
     "stages = [\"train\"]\nmethod = \"isochronism\"\n\n[isochronism]\npoints = 12\nshards = 4\nsteps = 20\n"
     "epochs = 8\ncheckpoint_every = 4\nsnapshot_epochs = [0, 2, 6, 8]\nportrait_points = 3\n"
     "portrait_samples = 10\nlog_every = 0\n")
add_test(NAME cli_isochronism_restart
         COMMAND sh -c "rm -f iso_restart_*; ${DYNLEARN} run -q restart.toml && mv iso_restart_output.h5 full.h5 && \
${DYNLEARN} run -q --restart restart.toml && \
for o in /model/parameters /history/loss /history/learning_rate /portraits/epochs /portraits/states; do \
${H5DIFF} full.h5 iso_restart_output.h5 $o || exit 1; done"
         WORKING_DIRECTORY ${ISO_WORK})
set_tests_properties(cli_isochronism_restart PROPERTIES LABELS cli ENVIRONMENT "${DYNLEARN_MPI_ENV}")
