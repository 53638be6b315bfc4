// libnnopbase.so of the fake CANN: tensor / int array / scalar / tensor list descriptors and
// executor destruction. Every descriptor is counted in libascendcl.so so tests can prove that none
// leaks.
#include <cstring>

#include "fake_core.h"

namespace {

bool validTensorShape(const int64_t* dims, uint64_t n, const int64_t* strides, int64_t offset,
                      const int64_t* storage, uint64_t sn, std::string& why) {
  if (n > 8) {
    why = "more than 8 dimensions";
    return false;
  }
  if (offset < 0) {
    why = "negative offset";
    return false;
  }
  int64_t span = offset;  // highest element index the view can touch
  bool empty = false;
  for (uint64_t i = 0; i < n; i++) {
    if (dims[i] < 0 || (strides && strides[i] < 0)) {
      why = "negative dimension or stride";
      return false;
    }
    if (dims[i] == 0) empty = true;
    else span += (dims[i] - 1) * (strides ? strides[i] : 0);
  }
  int64_t storageElements = 1;
  for (uint64_t i = 0; i < sn; i++) storageElements *= storage[i];
  if (!empty && span >= storageElements) {
    why = "the view reaches element " + std::to_string(span) + " but the storage holds " +
          std::to_string(storageElements);
    return false;
  }
  return true;
}

template <typename T>
aclnnStatus destroyDescriptor(const T* p, DescriptorKind kind, const char* api) {
  if (!p) return 0;
  if (!fake_descriptor_alive(p)) {
    fake_violation(std::string(api) + " of a descriptor that is not alive (destroyed twice, or owned by a tensor list)");
    return fake_status::kAclnnParamInvalid;
  }
  fake_track_descriptor(p, kind, false);
  delete p;
  return 0;
}

}  // namespace

FAKE_EXPORT aclTensor* aclCreateTensor(const int64_t* viewDims, uint64_t viewDimsNum, int32_t dataType,
                                       const int64_t* stride, int64_t offset, int32_t format,
                                       const int64_t* storageDims, uint64_t storageDimsNum, void* tensorData) {
  if ((viewDimsNum > 0 && (!viewDims || !stride)) || (storageDimsNum > 0 && !storageDims)) {
    fake_violation("aclCreateTensor with null dims, strides or storage dims");
    return nullptr;
  }
  std::string why;
  if (!validTensorShape(viewDims, viewDimsNum, stride, offset, storageDims, storageDimsNum, why)) {
    fake_violation("aclCreateTensor: " + why);
    return nullptr;
  }
  auto* t = new aclTensor();
  t->dims.assign(viewDims, viewDims + viewDimsNum);
  t->strides.assign(stride, stride + viewDimsNum);
  t->offset = offset;
  t->dtype = dataType;
  t->format = format;
  t->storageDims.assign(storageDims, storageDims + storageDimsNum);
  t->data = tensorData;
  fake_track_descriptor(t, DescriptorKind::kTensor, true);
  return t;
}

FAKE_EXPORT aclnnStatus aclDestroyTensor(const aclTensor* tensor) {
  return destroyDescriptor(tensor, DescriptorKind::kTensor, "aclDestroyTensor");
}

FAKE_EXPORT aclIntArray* aclCreateIntArray(const int64_t* value, uint64_t size) {
  if (size > 0 && !value) {
    fake_violation("aclCreateIntArray with a null value pointer");
    return nullptr;
  }
  auto* a = new aclIntArray();
  a->values.assign(value, value + size);
  fake_track_descriptor(a, DescriptorKind::kIntArray, true);
  return a;
}

FAKE_EXPORT aclnnStatus aclDestroyIntArray(const aclIntArray* array) {
  return destroyDescriptor(array, DescriptorKind::kIntArray, "aclDestroyIntArray");
}

FAKE_EXPORT aclScalar* aclCreateScalar(void* value, int32_t dataType) {
  if (!value) {
    fake_violation("aclCreateScalar with a null value pointer");
    return nullptr;
  }
  auto* s = new aclScalar();
  s->dtype = dataType;
  switch (dataType) {
    case kDtFloat: s->value = *static_cast<float*>(value); break;
    case kDtDouble: s->value = *static_cast<double*>(value); break;
    case kDtInt64: s->value = static_cast<double>(*static_cast<int64_t*>(value)); break;
    case kDtInt32: s->value = *static_cast<int32_t*>(value); break;
    default:
      delete s;
      fake_violation("aclCreateScalar: data type " + std::to_string(dataType) + " is not supported by the fake");
      return nullptr;
  }
  fake_track_descriptor(s, DescriptorKind::kScalar, true);
  return s;
}

FAKE_EXPORT aclnnStatus aclDestroyScalar(const aclScalar* scalar) {
  return destroyDescriptor(scalar, DescriptorKind::kScalar, "aclDestroyScalar");
}

// The list takes ownership of its tensors: destroying the list destroys them.
FAKE_EXPORT aclTensorList* aclCreateTensorList(const aclTensor* const* value, uint64_t size) {
  if (size > 0 && !value) {
    fake_violation("aclCreateTensorList with a null value pointer");
    return nullptr;
  }
  auto* l = new aclTensorList();
  for (uint64_t i = 0; i < size; i++) {
    if (!fake_descriptor_alive(value[i])) {
      delete l;
      fake_violation("aclCreateTensorList with a tensor that is not alive");
      return nullptr;
    }
    l->tensors.push_back(const_cast<aclTensor*>(value[i]));
  }
  fake_track_descriptor(l, DescriptorKind::kTensorList, true);
  return l;
}

FAKE_EXPORT aclnnStatus aclDestroyTensorList(const aclTensorList* list) {
  if (!list) return 0;
  if (!fake_descriptor_alive(list)) {
    fake_violation("aclDestroyTensorList of a list that is not alive");
    return fake_status::kAclnnParamInvalid;
  }
  for (aclTensor* t : list->tensors) {
    if (!fake_descriptor_alive(t)) {
      fake_violation("a tensor owned by a tensor list was destroyed separately");
      continue;
    }
    fake_track_descriptor(t, DescriptorKind::kTensor, false);
    delete t;
  }
  fake_track_descriptor(list, DescriptorKind::kTensorList, false);
  delete list;
  return 0;
}

// Frees an executor that will not be launched. Executor objects are kept as tombstones so a later
// use is recognised as a violation instead of reading freed memory.
FAKE_EXPORT aclnnStatus aclDestroyAclOpExecutor(aclOpExecutor* executor) {
  if (!executor) return 0;
  if (executor->state != 0) {
    fake_violation("aclDestroyAclOpExecutor of an executor already launched or destroyed");
    return fake_status::kAclnnParamInvalid;
  }
  executor->state = 2;
  fake_track_executor(executor, false);
  return 0;
}
