// One small vector vocabulary per instruction set, so the kernels in kernels_impl.h are written
// once and compiled once per target (kernels_<isa>.cc defines WSP_ISA_* before including this).
//
// Rule for every file that includes this header: no standard-library templates or inline library
// functions. Those would be compiled with this file's target flags and could be merged by the
// linker into the baseline code path, which then runs AVX-512 instructions on a CPU without them.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(WSP_ISA_AVX512) || defined(WSP_ISA_AVX2)
#include <immintrin.h>
#elif defined(WSP_ISA_NEON)
#include <arm_neon.h>
#endif

#ifndef WSP_ISA_NS
#error "define WSP_ISA_NS (the instruction set's namespace) before including simd.h"
#endif

// Each instruction set gets its own namespace: the same names with different vector types in one
// namespace would break the one-definition rule and let the linker mix the copies.
namespace wsp {
namespace WSP_ISA_NS {

#if defined(WSP_ISA_AVX512)
constexpr int W = 16;
struct Vec {
  __m512 v;
};
inline Vec vzero() { return {_mm512_setzero_ps()}; }
inline Vec vload(const float* p) { return {_mm512_loadu_ps(p)}; }
inline void vstore(float* p, Vec a) { _mm512_storeu_ps(p, a.v); }
inline Vec vset1(float x) { return {_mm512_set1_ps(x)}; }
inline Vec vadd(Vec a, Vec b) { return {_mm512_add_ps(a.v, b.v)}; }
inline Vec vsub(Vec a, Vec b) { return {_mm512_sub_ps(a.v, b.v)}; }
inline Vec vmul(Vec a, Vec b) { return {_mm512_mul_ps(a.v, b.v)}; }
inline Vec vfma(Vec a, Vec b, Vec c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }  // a*b+c
inline Vec vmax(Vec a, Vec b) { return {_mm512_max_ps(a.v, b.v)}; }

#elif defined(WSP_ISA_AVX2)
constexpr int W = 8;
struct Vec {
  __m256 v;
};
inline Vec vzero() { return {_mm256_setzero_ps()}; }
inline Vec vload(const float* p) { return {_mm256_loadu_ps(p)}; }
inline void vstore(float* p, Vec a) { _mm256_storeu_ps(p, a.v); }
inline Vec vset1(float x) { return {_mm256_set1_ps(x)}; }
inline Vec vadd(Vec a, Vec b) { return {_mm256_add_ps(a.v, b.v)}; }
inline Vec vsub(Vec a, Vec b) { return {_mm256_sub_ps(a.v, b.v)}; }
inline Vec vmul(Vec a, Vec b) { return {_mm256_mul_ps(a.v, b.v)}; }
inline Vec vfma(Vec a, Vec b, Vec c) { return {_mm256_fmadd_ps(a.v, b.v, c.v)}; }
inline Vec vmax(Vec a, Vec b) { return {_mm256_max_ps(a.v, b.v)}; }

#elif defined(WSP_ISA_NEON)
constexpr int W = 4;
struct Vec {
  float32x4_t v;
};
inline Vec vzero() { return {vdupq_n_f32(0.0f)}; }
inline Vec vload(const float* p) { return {vld1q_f32(p)}; }
inline void vstore(float* p, Vec a) { vst1q_f32(p, a.v); }
inline Vec vset1(float x) { return {vdupq_n_f32(x)}; }
inline Vec vadd(Vec a, Vec b) { return {vaddq_f32(a.v, b.v)}; }
inline Vec vsub(Vec a, Vec b) { return {vsubq_f32(a.v, b.v)}; }
inline Vec vmul(Vec a, Vec b) { return {vmulq_f32(a.v, b.v)}; }
inline Vec vfma(Vec a, Vec b, Vec c) { return {vfmaq_f32(c.v, a.v, b.v)}; }
inline Vec vmax(Vec a, Vec b) { return {vmaxq_f32(a.v, b.v)}; }

#else  // portable baseline: plain loops the compiler may vectorise for the base ISA (SSE2 on x64)
constexpr int W = 8;
struct Vec {
  float x[W];
};
inline Vec vzero() {
  Vec r;
  for (int i = 0; i < W; i++) r.x[i] = 0.0f;
  return r;
}
inline Vec vload(const float* p) {
  Vec r;
  for (int i = 0; i < W; i++) r.x[i] = p[i];
  return r;
}
inline void vstore(float* p, Vec a) {
  for (int i = 0; i < W; i++) p[i] = a.x[i];
}
inline Vec vset1(float v) {
  Vec r;
  for (int i = 0; i < W; i++) r.x[i] = v;
  return r;
}
#define WSP_GENERIC_BINOP(name, expr)    \
  inline Vec name(Vec a, Vec b) {        \
    Vec r;                               \
    for (int i = 0; i < W; i++) r.x[i] = (expr); \
    return r;                            \
  }
WSP_GENERIC_BINOP(vadd, a.x[i] + b.x[i])
WSP_GENERIC_BINOP(vsub, a.x[i] - b.x[i])
WSP_GENERIC_BINOP(vmul, a.x[i] * b.x[i])
WSP_GENERIC_BINOP(vmax, a.x[i] > b.x[i] ? a.x[i] : b.x[i])
#undef WSP_GENERIC_BINOP
inline Vec vfma(Vec a, Vec b, Vec c) {
  Vec r;
  for (int i = 0; i < W; i++) r.x[i] = a.x[i] * b.x[i] + c.x[i];  // fmaf would be a libm call without FMA hardware
  return r;
}
#endif

}  // namespace WSP_ISA_NS
}  // namespace wsp
