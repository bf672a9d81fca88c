#include "tests/kernel/sim/harness.h"

#include <unistd.h>

#include "tests/kernel/loader/privileged.h"
#include "tests/kernel/sim/lifecycle.h"

namespace ksim {

std::string shipped_image_path() { return FB_KERNEL_IMAGE; }
std::string unsigned_image_path() { return FB_KERNEL_SYMBOLS; }

void KernelTest::SetUp() {
  reset_all();
  verifier::take_violations();
  install_fault_handler();
  for (const std::string& path : {shipped_image_path(), unsigned_image_path()})
    ASSERT_EQ(access(path.c_str(), R_OK), 0) << path << " is missing: build it with ./build.sh (cross tree and fb_dist)";
  std::string error;
  image_ = LoadedImage::load(shipped_image_path(), LoadOptions{}, &error);
  ASSERT_NE(image_, nullptr) << "loading " << shipped_image_path() << ": " << error;
  ASSERT_TRUE(symbols_.load(unsigned_image_path(), image_->file(), &error)) << error;
  verifier::set_image(image_.get(), &symbols_);
}

void KernelTest::verify_unload() {
  verifier::run_unload_checks();
  if (image_ != nullptr) image_->mark_unloaded();
}

void KernelTest::TearDown() {
  for (const verifier::Violation& v : verifier::take_violations()) ADD_FAILURE() << v.text();
  verifier::set_image(nullptr, nullptr);
  // Image memory is unmapped only after the simulation forgot everything pointing into it.
  reset_all();
  image_.reset();
}

}  // namespace ksim
