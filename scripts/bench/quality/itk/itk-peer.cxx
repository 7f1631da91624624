// ITK peer for the quality benchmark: times LabelOverlapMeasuresImageFilter (Dice/Jaccard of every
// label of one pair) and STAPLEImageFilter (one label, all raters) on the same raw uint8 label
// volumes the TypeScript benchmark uses. Only filter execution is timed, not file reading.
// usage: itk-peer nx ny nz label staple(0|1) file0 file1 [file2 ...]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "itkImage.h"
#include "itkImportImageFilter.h"
#include "itkLabelOverlapMeasuresImageFilter.h"
#include "itkSTAPLEImageFilter.h"

using LabelImage = itk::Image<unsigned char, 3>;
using Clock = std::chrono::steady_clock;

static LabelImage::Pointer load(const char* path, size_t nx, size_t ny, size_t nz, std::vector<unsigned char>& buf) {
  const size_t n = nx * ny * nz;
  buf.resize(n);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(n));
  if (static_cast<size_t>(in.gcount()) != n) {
    std::fprintf(stderr, "short read %s\n", path);
    std::exit(2);
  }
  auto import = itk::ImportImageFilter<unsigned char, 3>::New();
  itk::ImportImageFilter<unsigned char, 3>::SizeType size;
  size[0] = nx;
  size[1] = ny;
  size[2] = nz;
  itk::ImportImageFilter<unsigned char, 3>::RegionType region;
  region.SetSize(size);
  import->SetRegion(region);
  import->SetImportPointer(buf.data(), n, false);
  import->Update();
  return import->GetOutput();
}

static double ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

int main(int argc, char** argv) {
  if (argc < 8) return 1;
  const size_t nx = std::strtoul(argv[1], nullptr, 10), ny = std::strtoul(argv[2], nullptr, 10),
               nz = std::strtoul(argv[3], nullptr, 10);
  const int label = std::atoi(argv[4]);
  const bool staple = std::atoi(argv[5]) != 0;
  const int raters = argc - 6;
  std::vector<std::vector<unsigned char>> bufs(raters);
  std::vector<LabelImage::Pointer> images;
  for (int r = 0; r < raters; r++) images.push_back(load(argv[6 + r], nx, ny, nz, bufs[r]));

  auto overlap = itk::LabelOverlapMeasuresImageFilter<LabelImage>::New();
  overlap->SetSourceImage(images[0]);
  overlap->SetTargetImage(images[1]);
  auto t0 = Clock::now();
  overlap->Update();
  auto t1 = Clock::now();
  std::printf("{\"overlapMs\":%.3f,\"dice\":%.9f", ms(t0, t1), overlap->GetDiceCoefficient(label));

  if (staple) {
    auto st = itk::STAPLEImageFilter<LabelImage, itk::Image<double, 3>>::New();
    for (int r = 0; r < raters; r++) st->SetInput(r, images[r]);
    st->SetForegroundValue(static_cast<unsigned char>(label));
    auto t2 = Clock::now();
    st->Update();
    auto t3 = Clock::now();
    std::printf(",\"stapleMs\":%.3f,\"stapleIterations\":%u,\"sensitivity\":[", ms(t2, t3), st->GetElapsedIterations());
    for (int r = 0; r < raters; r++) std::printf("%s%.9f", r ? "," : "", st->GetSensitivity(r));
    std::printf("],\"specificity\":[");
    for (int r = 0; r < raters; r++) std::printf("%s%.9f", r ? "," : "", st->GetSpecificity(r));
    std::printf("]");
  }
  std::printf("}\n");
  return 0;
}
