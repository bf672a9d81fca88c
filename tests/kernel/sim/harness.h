// The GoogleTest fixture of the host-kernel layer: loads the SHIPPED image
// (dist/FileBackup-x64/FileBackup.sys, the bytes users copy) with every import bound to the
// simulation, names image offsets with the unsigned build's symbols, and fails the test for
// every verifier violation left at its end. A missing image fails the test with one line
// saying how to build it; nothing here skips.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/kernel/loader/pe_loader.h"
#include "tests/kernel/loader/symbols.h"
#include "tests/kernel/sim/exports.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim {

std::string shipped_image_path();   // FB_KERNEL_IMAGE
std::string unsigned_image_path();  // FB_KERNEL_SYMBOLS

class KernelTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  LoadedImage& image() { return *image_; }
  const Symbols& symbols() const { return symbols_; }

  // An image function by its demangled name (e.g. "fbk::sender::start()"), as a KSIM_API
  // function pointer. Fails the test (and returns nullptr) if the symbol is unknown.
  template <typename Fn>
  Fn image_function(const std::string& name) {
    const uint32_t rva = symbols_.rva_of(name);
    EXPECT_NE(rva, 0u) << "no function " << name << " in " << unsigned_image_path();
    return rva == 0 ? nullptr : reinterpret_cast<Fn>(image_->at_rva(rva));
  }

  // Removes and returns the violations recorded so far (a test that provokes one on purpose
  // asserts on it, so TearDown does not fail the test for it).
  std::vector<verifier::Violation> take_violations() { return verifier::take_violations(); }

  // The driver's unload is complete: reports every pool block, object reference and handle
  // the image still holds, then makes the image inaccessible (use after unload faults).
  void verify_unload();

  std::unique_ptr<LoadedImage> image_;
  Symbols symbols_;
};

}  // namespace ksim
