// Fuzzes load_idx, the IDX reader (raw or gzip-compressed, as Fashion-MNIST ships): any bytes are
// read or refused with loom::Error, and what is read holds exactly as many bytes as its dimensions say.
#include "fuzz_support.h"
#include "loom/runtime/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace loom;
  const auto path = fuzz::scratch() / "input-idx1-ubyte.gz";
  fuzz::write_file(path, fuzz::bytes_of(data, size));
  fuzz::refusals_are_loom_errors([&] {
    const IdxArray array = load_idx(path.string());
    uint64_t count = 1;
    for (const auto dim : array.dims) count *= dim;
    if (array.dims.empty() || count != array.data.size()) fuzz::fail("an IDX array's data does not fit its shape");
  });
  return 0;
}
