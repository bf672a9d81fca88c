// driver/runtime/sender_thread.cpp references its system thread with ObReferenceObjectByHandle
// and the thread object type. PsThreadType is a data import (POBJECT_TYPE PsThreadType; the
// IAT slot holds the variable's address): correct code loads the slot, then the variable, and
// passes that pointer. The simulated type's first 8 bytes are a TypeList link that does not
// point back at the type, so code that loads once more passes something that is not a type.
#include <gtest/gtest.h>

#include "tests/kernel/nt/objects.h"
#include "tests/kernel/nt/threads.h"
#include "tests/kernel/sim/harness.h"

namespace ksim {
namespace {

using SenderThreadTest = KernelTest;

TEST_F(SenderThreadTest, StartReferencesItsThreadWithThePsThreadTypeObjectAndStopReleasesIt) {
  // Windows semantics of the data import, checked before anything runs.
  void** slot = image().import_slot("ntoskrnl.exe", "PsThreadType");
  ASSERT_NE(slot, nullptr);
  ASSERT_EQ(*static_cast<ob::ObjectType**>(*slot), &ob::g_thread_type);
  ASSERT_NE(ob::g_thread_type.TypeList.Flink, reinterpret_cast<nt::LIST_ENTRY*>(&ob::g_thread_type));

  auto start = image_function<int32_t(KSIM_API*)()>("fbk::sender::start()");
  auto stop = image_function<void(KSIM_API*)()>("fbk::sender::stop()");
  ASSERT_NE(start, nullptr);
  ASSERT_NE(stop, nullptr);
  const int32_t status = start();
  EXPECT_EQ(status, 0) << std::hex << "fbk::sender::start() returned 0x" << status;
  for (const verifier::Violation& v : take_violations()) ADD_FAILURE() << v.text();
  stop();
  EXPECT_TRUE(threads::join_all(5000)) << "the sender thread did not end after stop()";
  EXPECT_EQ(ob::open_handle_count(), 0u);
  verify_unload();  // no thread reference, handle or pool block left behind
}

}  // namespace
}  // namespace ksim
