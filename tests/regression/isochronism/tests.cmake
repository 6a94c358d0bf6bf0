# Isochronism (isochronism.txt, section 3) at CI size: the periods of
# trajectories of several amplitudes are within 2 % of T = 2π and the learned
# potential has the harmonic well widths 2√(2E) within 3 % (check.py; it also
# prints max |f(x) + x| on [-2, 2], which the loss does not pin down:
# docs/isochronism.md); the run gives the same bits on 1, 2 and 3 ranks
# (shard-ordered reductions). max |f(x) + x| < 0.1 (the issue's criterion) is
# not enforced: the loss is zero on a family of isochronous forces besides -x,
# pinned equilibrium or not, and training lands on one set by the seed
# (docs/isochronism.md, "The equilibrium").
set(ISO_DIR ${CMAKE_CURRENT_LIST_DIR})
set(ISO_DECK ${PROJECT_SOURCE_DIR}/inputs/isochronism/ci.toml)
find_program(ISO_H5DIFF h5diff REQUIRED)
foreach(n 1 2 3)
  dynlearn_add_mpi_test(NAME regression_isochronism RANKS ${n} LABELS regression
                        COMMAND ${DYNLEARN} run -q ${ISO_DECK}
                        WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/isochronism_np${n}
                        FIXTURES_SETUP isochronism_np${n})
endforeach()
add_test(NAME regression_isochronism_learns_harmonic
         COMMAND ${SYSTEM_PYTHON} ${ISO_DIR}/check.py
                 ${CMAKE_CURRENT_BINARY_DIR}/isochronism_np1/out/isochronism_ci_output.h5)
set_tests_properties(regression_isochronism_learns_harmonic PROPERTIES LABELS regression
                     FIXTURES_REQUIRED isochronism_np1)
foreach(n 2 3)
  add_test(NAME regression_isochronism_identical_np${n}
           COMMAND sh -c "for o in /model/parameters /history/loss /portraits/states /force/f /evaluate/periods; do \
${ISO_H5DIFF} ${CMAKE_CURRENT_BINARY_DIR}/isochronism_np1/out/isochronism_ci_output.h5 \
${CMAKE_CURRENT_BINARY_DIR}/isochronism_np${n}/out/isochronism_ci_output.h5 $o || exit 1; done")
  set_tests_properties(regression_isochronism_identical_np${n} PROPERTIES LABELS "regression;mpi"
                       FIXTURES_REQUIRED "isochronism_np1;isochronism_np${n}")
endforeach()

# The same with the force's zero pinned at 0 (inputs/isochronism/ci_pinned.toml):
# check.py also requires f(0) = 0; 1 and 2 ranks give the same bits.
set(ISO_PINNED_DECK ${PROJECT_SOURCE_DIR}/inputs/isochronism/ci_pinned.toml)
foreach(n 1 2)
  dynlearn_add_mpi_test(NAME regression_isochronism_pinned RANKS ${n} LABELS regression
                        COMMAND ${DYNLEARN} run -q ${ISO_PINNED_DECK}
                        WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/isochronism_pinned_np${n}
                        FIXTURES_SETUP isochronism_pinned_np${n})
endforeach()
add_test(NAME regression_isochronism_pinned_learns_harmonic
         COMMAND ${SYSTEM_PYTHON} ${ISO_DIR}/check.py
                 ${CMAKE_CURRENT_BINARY_DIR}/isochronism_pinned_np1/out/isochronism_ci_pinned_output.h5)
set_tests_properties(regression_isochronism_pinned_learns_harmonic PROPERTIES LABELS regression
                     FIXTURES_REQUIRED isochronism_pinned_np1)
add_test(NAME regression_isochronism_pinned_identical_np2
         COMMAND sh -c "for o in /model/parameters /history/loss /force/f /evaluate/periods; do \
${ISO_H5DIFF} ${CMAKE_CURRENT_BINARY_DIR}/isochronism_pinned_np1/out/isochronism_ci_pinned_output.h5 \
${CMAKE_CURRENT_BINARY_DIR}/isochronism_pinned_np2/out/isochronism_ci_pinned_output.h5 $o || exit 1; done")
set_tests_properties(regression_isochronism_pinned_identical_np2 PROPERTIES LABELS "regression;mpi"
                     FIXTURES_REQUIRED "isochronism_pinned_np1;isochronism_pinned_np2")

# The same with an odd force (inputs/isochronism/ci_odd.toml, symmetry =
# "odd": a potential symmetric about 0, as in the paper's theorem): here the
# loss's only zero is f = -x, and check.py ENFORCES the issue's criterion
# max |f(x) + x| < 0.1 on [-2, 2] besides periods within 2 %, well widths
# and oddness (eight seeds: docs/isochronism.md); 1 and 2 ranks give the same
# bits.
set(ISO_ODD_DECK ${PROJECT_SOURCE_DIR}/inputs/isochronism/ci_odd.toml)
foreach(n 1 2)
  dynlearn_add_mpi_test(NAME regression_isochronism_odd RANKS ${n} LABELS regression
                        COMMAND ${DYNLEARN} run -q ${ISO_ODD_DECK}
                        WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/isochronism_odd_np${n}
                        FIXTURES_SETUP isochronism_odd_np${n})
endforeach()
add_test(NAME regression_isochronism_odd_learns_minus_x
         COMMAND ${SYSTEM_PYTHON} ${ISO_DIR}/check.py --force-tolerance 0.1
                 ${CMAKE_CURRENT_BINARY_DIR}/isochronism_odd_np1/out/isochronism_ci_odd_output.h5)
set_tests_properties(regression_isochronism_odd_learns_minus_x PROPERTIES LABELS regression
                     FIXTURES_REQUIRED isochronism_odd_np1)
add_test(NAME regression_isochronism_odd_identical_np2
         COMMAND sh -c "for o in /model/parameters /history/loss /force/f /evaluate/periods; do \
${ISO_H5DIFF} ${CMAKE_CURRENT_BINARY_DIR}/isochronism_odd_np1/out/isochronism_ci_odd_output.h5 \
${CMAKE_CURRENT_BINARY_DIR}/isochronism_odd_np2/out/isochronism_ci_odd_output.h5 $o || exit 1; done")
set_tests_properties(regression_isochronism_odd_identical_np2 PROPERTIES LABELS "regression;mpi"
                     FIXTURES_REQUIRED "isochronism_odd_np1;isochronism_odd_np2")

# The figures script reads the CI output with h5py and draws Figure 3 and the
# force/potential/period panels.
add_test(NAME tools_isochronism_figures
         COMMAND ${SYSTEM_PYTHON} ${PROJECT_SOURCE_DIR}/tools/isochronism_figures.py
                 ${CMAKE_CURRENT_BINARY_DIR}/isochronism_np1/out/isochronism_ci_output.h5
                 -o ${CMAKE_CURRENT_BINARY_DIR}/isochronism_np1/out/figures)
set_tests_properties(tools_isochronism_figures PROPERTIES LABELS "regression;tools"
                     FIXTURES_REQUIRED isochronism_np1 PASS_REGULAR_EXPRESSION "wrote .*figures_force.png")
