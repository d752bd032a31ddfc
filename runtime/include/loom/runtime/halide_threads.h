// How the workers of Halide's thread pool wait, for every Loom kernel in the process.
//
// Halide's thread pool (linked into each kernels library) lets an idle worker spin 40 times before it
// sleeps on a condition variable, and its locks spin the same way before they park; every spin calls
// halide_thread_yield(), by default sched_yield(). On a virtual machine each sched_yield is a system
// call and a trip through the hypervisor: profiles of small models (batch 1, or T=28 x B=128 training,
// dozens of short parallel loops per step) spent a quarter of their time there. Loom's
// halide_thread_yield() is a short pause loop instead (a microsecond or so): a worker waits some tens of
// microseconds without system calls, long enough to catch the next parallel loop of a step, and then
// sleeps, so an idle model leaves the cores to others.
#pragma once

namespace loom {

/// Links Loom's halide_thread_yield() into the program; generated model classes call it in their
/// constructors. Does nothing at run time.
void use_loom_thread_yield();

}  // namespace loom
