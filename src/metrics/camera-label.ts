// Caps the distinct camera_id label values: the first `max` cameras seen keep their id,
// later ones are reported as `other`, so a misbehaving client cannot explode the series count.
export const OTHER_CAMERA = 'other';

export class CameraLabeler {
  private readonly known = new Set<string>();
  constructor(private readonly max: number) {}

  label(cameraId: string): string {
    if (this.known.has(cameraId)) return cameraId;
    if (this.known.size >= this.max) return OTHER_CAMERA;
    this.known.add(cameraId);
    return cameraId;
  }
}
