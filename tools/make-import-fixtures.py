#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Source files and malformed corpora for the workout importers.

Writes, into OUT (tests/fixtures/import) and BAD (tests/fixtures/malformed):
  source.gpx          the reference tracks, written here by hand (GPX 1.1 with
                      Garmin TrackPointExtension hr/cad and PowerExtension):
                      track 1 "Morning run" running, 120 points from
                      2024-05-01T07:30:00Z every second, track 2 "Evening ride"
                      cycling, 60 points from 2024-05-01T17:00:00Z every 2 s.
                      tools/make-import-fixtures.sh runs gpsbabel over it.
  fit-compressed.fit, fit-bigendian.fit, fit-header12.fit: FIT files written by
                      this script's own small encoder (compressed timestamp
                      headers, big-endian definitions, a 12-byte header), which
                      the @garmin/fitsdk encoder never produces.
  malformed GPX/TCX/CSV/FIT files, one problem each.
Value formulas (tests/test-*.c recompute them), for point i of track 1:
  lat = 47.3769 + 0.0018 sin(2 pi i / 120), lon = 8.5417 + 0.0027 cos(2 pi i / 120)
  ele = 400 + 5 sin(i / 10) (1 decimal), hr = 120 + i % 40, cad = 80 + i % 10,
  power = 200 + (7 i) % 50
track 2 (j = 0..59): lat = 46.0 + 0.0001 j, lon = 7.0 - 0.0002 j, ele = 600 + j,
  hr = 130 + j % 20, cad = 90, power = 250 + j % 30
"""
import math
import os
import struct
import sys

T0 = 1714548600          # 2024-05-01T07:30:00Z
T1 = 1714582800          # 2024-05-01T17:00:00Z
FIT_EPOCH = 631065600


def iso(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def track1(i):
    return dict(t=T0 + i,
                lat=round(47.3769 + 0.0018 * math.sin(2 * math.pi * i / 120), 7),
                lon=round(8.5417 + 0.0027 * math.cos(2 * math.pi * i / 120), 7),
                ele=round(400 + 5 * math.sin(i / 10), 1),
                hr=120 + i % 40, cad=80 + i % 10, power=200 + (7 * i) % 50)


def track2(j):
    return dict(t=T1 + 2 * j, lat=round(46.0 + 0.0001 * j, 7), lon=round(7.0 - 0.0002 * j, 7),
                ele=600.0 + j, hr=130 + j % 20, cad=90, power=250 + j % 30)


def gpx_point(p, indent="      "):
    return (f'{indent}<trkpt lat="{p["lat"]:.7f}" lon="{p["lon"]:.7f}">\n'
            f'{indent}  <ele>{p["ele"]:.1f}</ele>\n'
            f'{indent}  <time>{iso(p["t"])}</time>\n'
            f'{indent}  <extensions>\n'
            f'{indent}    <gpxpx:PowerExtension><gpxpx:PowerInWatts>{p["power"]}</gpxpx:PowerInWatts></gpxpx:PowerExtension>\n'
            f'{indent}    <gpxtpx:TrackPointExtension><gpxtpx:hr>{p["hr"]}</gpxtpx:hr>'
            f'<gpxtpx:cad>{p["cad"]}</gpxtpx:cad></gpxtpx:TrackPointExtension>\n'
            f'{indent}  </extensions>\n'
            f'{indent}</trkpt>\n')


GPX_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<gpx version="1.1" creator="make-import-fixtures.py" '
            'xmlns="http://www.topografix.com/GPX/1/1" '
            'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" '
            'xmlns:gpxpx="http://www.garmin.com/xmlschemas/PowerExtension/v1">\n')


def gpx(tracks):
    out = GPX_HEAD
    for name, kind, points in tracks:
        out += f"  <trk>\n    <name>{name}</name>\n    <type>{kind}</type>\n    <trkseg>\n"
        out += "".join(gpx_point(p) for p in points)
        out += "    </trkseg>\n  </trk>\n"
    return out + "</gpx>\n"


def source_gpx():
    return gpx([("Morning run", "running", [track1(i) for i in range(120)]),
                ("Evening ride", "cycling", [track2(j) for j in range(60)])])


# --- a small FIT encoder of our own (for record-header variants) -----------

CRC_TABLE = [0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
             0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400]


def fit_crc(data, crc=0):
    for b in data:
        tmp = CRC_TABLE[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ CRC_TABLE[b & 0xF]
        tmp = CRC_TABLE[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ CRC_TABLE[(b >> 4) & 0xF]
    return crc


def fit_file(body, header_size=14, bad_header_crc=False, bad_file_crc=False, data_size=None):
    size = len(body) if data_size is None else data_size
    hdr = struct.pack("<BBHI4s", header_size, 0x20, 2132, size, b".FIT")
    if header_size == 14:
        c = fit_crc(hdr)
        hdr += struct.pack("<H", c ^ (0x1234 if bad_header_crc else 0))
    crc = fit_crc(hdr + body)
    return hdr + body + struct.pack("<H", crc ^ (0x00FF if bad_file_crc else 0))


def definition(local, global_num, fields, big=False, dev_fields=()):
    e = ">" if big else "<"
    hdr = 0x40 | local | (0x20 if dev_fields else 0)
    out = struct.pack(e.replace(">", "<") + "BBB", hdr, 0, 1 if big else 0)
    out += struct.pack(e + "HB", global_num, len(fields))
    for num, size, base in fields:
        out += struct.pack("BBB", num, size, base)
    if dev_fields:
        out += struct.pack("B", len(dev_fields))
        for num, size, idx in dev_fields:
            out += struct.pack("BBB", num, size, idx)
    return out


FILE_ID = [(0, 1, 0x00), (1, 2, 0x84), (4, 4, 0x86)]           # type, manufacturer, time_created
RECORD_TS = [(253, 4, 0x86)]
RECORD = [(0, 4, 0x85), (1, 4, 0x85), (2, 2, 0x84), (3, 1, 0x02), (4, 1, 0x02),
          (5, 4, 0x86), (6, 2, 0x84), (7, 2, 0x84)]
SESSION = [(253, 4, 0x86), (2, 4, 0x86), (5, 1, 0x00), (7, 4, 0x86), (9, 4, 0x86),
           (16, 1, 0x02), (17, 1, 0x02)]


def semi(deg):
    return int(round(deg * 2 ** 31 / 180))


def record_values(p, i, e="<"):
    return struct.pack(e + "iiHBBIHH", semi(p["lat"]), semi(p["lon"]),
                       int(round((p["ele"] + 500) * 5)), p["hr"], p["cad"],
                       int(round(3.2 * i * 100)), 3000 + (i % 5) * 100, p["power"])


def fit_track1(n=120, compressed=False, big=False, time_back_at=None, bad_lat_at=None,
               no_ts=False, data_before_def=False):
    e = ">" if big else "<"
    body = b""
    if data_before_def:
        body += struct.pack("B", 0) + b"\x00" * 7
    body += definition(0, 0, FILE_ID, big) + struct.pack("B", 0) + struct.pack(e + "BHI", 4, 255, T0 - FIT_EPOCH)
    fields = RECORD if (compressed or no_ts) else RECORD_TS + RECORD
    body += definition(1, 20, fields, big)
    if compressed:
        body += definition(2, 20, RECORD_TS + RECORD, big)
    for i in range(n):
        p = dict(track1(i))
        t = T0 + i - FIT_EPOCH
        if time_back_at is not None and i == time_back_at:
            t -= 30
        if bad_lat_at is not None and i == bad_lat_at:
            p["lat"] = 95.0
        if compressed and i % 20 != 0:
            # compressed header: local type 1, 5-bit time offset
            body += struct.pack("B", 0x80 | (1 << 5) | (t & 0x1F)) + record_values(p, i, e)
        elif compressed or not no_ts:
            local = 2 if compressed else 1
            body += struct.pack("B", local) + struct.pack(e + "I", t) + record_values(p, i, e)
        else:
            body += struct.pack("B", 1) + record_values(p, i, e)
    body += definition(3, 18, SESSION, big)
    hrs = [track1(i)["hr"] for i in range(n)]
    body += struct.pack("B", 3) + struct.pack(e + "IIBIIBB", T0 + n - 1 - FIT_EPOCH, T0 - FIT_EPOCH, 1,
                                              (n - 1) * 1000, int(3.2 * (n - 1) * 100),
                                              round(sum(hrs) / n), max(hrs))
    return body


def write(path, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as f:
        f.write(data)


def main():
    out, bad = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    os.makedirs(bad, exist_ok=True)
    write(os.path.join(out, "source.gpx"), source_gpx())

    write(os.path.join(out, "fit-compressed.fit"), fit_file(fit_track1(compressed=True)))
    write(os.path.join(out, "fit-bigendian.fit"), fit_file(fit_track1(big=True)))
    write(os.path.join(out, "fit-header12.fit"), fit_file(fit_track1(), header_size=12))

    # ---- malformed FIT
    good = fit_file(fit_track1())
    write(os.path.join(bad, "fit-truncated.fit"), good[: len(good) // 2])
    write(os.path.join(bad, "fit-header-only.fit"), good[:14])
    write(os.path.join(bad, "fit-bad-header-crc.fit"), fit_file(fit_track1(), bad_header_crc=True))
    write(os.path.join(bad, "fit-bad-file-crc.fit"), fit_file(fit_track1(), bad_file_crc=True))
    flipped = bytearray(good)
    flipped[200] ^= 0x40
    write(os.path.join(bad, "fit-flipped-byte.fit"), bytes(flipped))
    write(os.path.join(bad, "fit-huge-data-size.fit"), fit_file(fit_track1(), data_size=0xFFFFFFF0))
    write(os.path.join(bad, "fit-not-fit.fit"), b"this is not a FIT file at all, just text\n")
    write(os.path.join(bad, "fit-time-backwards.fit"), fit_file(fit_track1(time_back_at=50)))
    write(os.path.join(bad, "fit-impossible-lat.fit"), fit_file(fit_track1(bad_lat_at=10)))
    write(os.path.join(bad, "fit-no-timestamp.fit"), fit_file(fit_track1(no_ts=True)))
    write(os.path.join(bad, "fit-data-before-definition.fit"), fit_file(fit_track1(data_before_def=True)))
    # a definition whose field list runs past the end of the data
    body = definition(0, 0, FILE_ID)[:5] + struct.pack("<HB", 20, 200) + b"\x00\x04\x86" * 3
    write(os.path.join(bad, "fit-cut-definition.fit"), fit_file(body))
    # a definition with an unknown base type
    body = definition(0, 20, [(253, 4, 0x86), (3, 1, 0x1F)]) + b"\x00" + b"\x00" * 5
    write(os.path.join(bad, "fit-bad-base-type.fit"), fit_file(body))
    # a course file (type 6), not an activity
    body = definition(0, 0, FILE_ID) + struct.pack("<BBHI", 0, 6, 255, T0 - FIT_EPOCH)
    write(os.path.join(bad, "fit-course-type.fit"), fit_file(body))

    # ---- malformed GPX (from a shorter copy of track 1, to keep the corpus small)
    src = gpx([("Morning run", "running", [track1(i) for i in range(40)])])
    write(os.path.join(bad, "gpx-truncated.gpx"), src[: len(src) // 2])
    write(os.path.join(bad, "gpx-empty.gpx"), "")
    lines = src.split("\n")
    # the 31st point of track 1 gets a time 10 minutes earlier
    t_bad = iso(T0 + 30)
    write(os.path.join(bad, "gpx-time-backwards.gpx"),
          src.replace(f"<time>{t_bad}</time>", f"<time>{iso(T0 - 600)}</time>", 1))
    p = track1(12)
    write(os.path.join(bad, "gpx-impossible-lat.gpx"),
          src.replace(f'lat="{p["lat"]:.7f}"', 'lat="91.5"', 1))
    write(os.path.join(bad, "gpx-impossible-lon.gpx"),
          src.replace(f'lon="{p["lon"]:.7f}"', 'lon="-181.0"', 1))
    write(os.path.join(bad, "gpx-bad-number.gpx"), src.replace("<ele>", "<ele>high ", 1))
    write(os.path.join(bad, "gpx-no-time.gpx"), src.replace(f"<time>{iso(T0 + 5)}</time>", "", 1))
    write(os.path.join(bad, "gpx-bad-time.gpx"),
          src.replace(f"<time>{iso(T0 + 5)}</time>", "<time>yesterday noon</time>", 1))
    raw = src.encode().replace(b"Morning run", b"Morning \xff\xfe run")
    write(os.path.join(bad, "gpx-bad-utf8.gpx"), raw)
    laughs = ('<?xml version="1.0"?>\n<!DOCTYPE gpx [\n <!ENTITY lol "lol">\n'
              + "".join(f' <!ENTITY lol{k} "{("&lol%s;" % (k - 1 if k > 1 else "")) * 10}">\n'
                        for k in range(1, 10))
              + ']>\n<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&lol9;</name>'
              '<trkseg><trkpt lat="1" lon="1"><time>2024-05-01T07:30:00Z</time></trkpt></trkseg></trk></gpx>\n')
    write(os.path.join(bad, "gpx-billion-laughs.gpx"), laughs)
    xxe = ('<?xml version="1.0"?>\n<!DOCTYPE gpx [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n'
           '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&xxe;</name>'
           '<trkseg><trkpt lat="1" lon="1"><time>2024-05-01T07:30:00Z</time></trkpt></trkseg></trk></gpx>\n')
    write(os.path.join(bad, "gpx-external-entity.gpx"), xxe)
    xxe_net = xxe.replace("file:///etc/passwd", "http://127.0.0.1:9/evil.dtd")
    write(os.path.join(bad, "gpx-network-entity.gpx"), xxe_net)
    undeclared = src.replace("Morning run", "Morning &xxe; run", 1)
    write(os.path.join(bad, "gpx-undeclared-entity.gpx"), undeclared)
    write(os.path.join(bad, "gpx-wrong-root.gpx"),
          '<?xml version="1.0"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"></kml>\n')
    write(os.path.join(bad, "gpx-route-only.gpx"),
          GPX_HEAD + '  <rte><rtept lat="1" lon="1"/></rte>\n</gpx>\n')
    write(os.path.join(bad, "gpx-deep-nesting.gpx"),
          GPX_HEAD + "<extensions>" * 1000 + "</extensions>" * 1000 + "</gpx>\n")
    write(os.path.join(bad, "gpx-utf16.gpx"), src.encode("utf-16"))

    # ---- malformed TCX (built from a small valid one)
    tcx = tcx_doc()
    write(os.path.join(out, "handmade.tcx"), tcx)
    write(os.path.join(bad, "tcx-truncated.tcx"), tcx[: len(tcx) * 2 // 3])
    write(os.path.join(bad, "tcx-time-backwards.tcx"),
          tcx.replace(f"<Time>{iso(T0 + 20)}</Time>", f"<Time>{iso(T0 - 20)}</Time>", 1))
    write(os.path.join(bad, "tcx-impossible-lon.tcx"),
          tcx.replace("<LongitudeDegrees>8.", "<LongitudeDegrees>208.", 1))
    write(os.path.join(bad, "tcx-bad-utf8.tcx"), tcx.encode().replace(b"Tempo", b"Tem\xc3\x28po"))
    write(os.path.join(bad, "tcx-billion-laughs.tcx"),
          laughs.replace("gpx", "TrainingCenterDatabase"))
    write(os.path.join(bad, "tcx-external-entity.tcx"), xxe.replace("gpx", "TrainingCenterDatabase"))
    write(os.path.join(bad, "tcx-no-activities.tcx"),
          '<?xml version="1.0"?>\n<TrainingCenterDatabase xmlns='
          '"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"></TrainingCenterDatabase>\n')
    write(os.path.join(bad, "tcx-bad-heart-rate.tcx"), tcx.replace("<Value>1", "<Value>x1", 1))

    # ---- malformed CSV
    hdr = "sport,start,duration_s,distance_m,avg_hr,max_hr,rpe,notes,title\r\n"
    write(os.path.join(bad, "csv-unclosed-quote.csv"),
          hdr + 'running,2024-05-01T07:30:00Z,3600,10000,150,170,6,"never closed,Run\r\n')
    write(os.path.join(bad, "csv-bad-utf8.csv"),
          (hdr + "running,2024-05-01T07:30:00Z,3600,10000,150,170,6,ok,Run\r\n").encode()
          + b"running,2024-05-02T07:30:00Z,3600,10000,150,170,6,bad \xe2\x82,Run\r\n")
    write(os.path.join(bad, "csv-bad-number.csv"),
          hdr + "running,2024-05-01T07:30:00Z,one hour,10000,150,170,6,,Run\r\n")
    write(os.path.join(bad, "csv-field-count.csv"), hdr + "running,2024-05-01T07:30:00Z,3600\r\n")
    write(os.path.join(bad, "csv-bad-time.csv"), hdr + "running,01/05/2024,3600,,,,,,\r\n")
    write(os.path.join(bad, "csv-negative-duration.csv"), hdr + "running,2024-05-01T07:30:00Z,-5,,,,,,\r\n")
    write(os.path.join(bad, "csv-text-after-quote.csv"),
          hdr + 'running,2024-05-01T07:30:00Z,3600,,,,,"a"b,\r\n')
    write(os.path.join(bad, "csv-unknown-columns.csv"), "a,b,c\r\n1,2,3\r\n")
    write(os.path.join(bad, "csv-header-only.csv"), hdr)
    shdr = "time,lat,lon,elevation_m,distance_m,speed_mps,heart_rate,cadence,power\r\n"
    write(os.path.join(bad, "csv-samples-time-backwards.csv"),
          shdr + "2024-05-01T07:30:10Z,47.1,8.1,400,0,3,120,80,200\r\n"
                 "2024-05-01T07:30:05Z,47.1,8.1,400,0,3,120,80,200\r\n")
    write(os.path.join(bad, "csv-samples-impossible-lat.csv"),
          shdr + "2024-05-01T07:30:10Z,147.1,8.1,400,0,3,120,80,200\r\n")
    write(os.path.join(bad, "csv-samples-lat-only.csv"),
          shdr + "2024-05-01T07:30:10Z,47.1,,400,0,3,120,80,200\r\n")
    write(os.path.join(bad, "csv-nul-bytes.csv"), b"sport,start\r\nrun\x00ning,2024-05-01T07:30:00Z\r\n")


def tcx_doc():
    pts = []
    for i in range(0, 60, 5):
        p = track1(i)
        pts.append(f"""          <Trackpoint>
            <Time>{iso(p["t"])}</Time>
            <Position><LatitudeDegrees>{p["lat"]:.7f}</LatitudeDegrees><LongitudeDegrees>{p["lon"]:.7f}</LongitudeDegrees></Position>
            <AltitudeMeters>{p["ele"]:.1f}</AltitudeMeters>
            <DistanceMeters>{3.2 * i:.1f}</DistanceMeters>
            <HeartRateBpm><Value>{p["hr"]}</Value></HeartRateBpm>
            <Cadence>{p["cad"]}</Cadence>
            <Extensions><ns3:TPX><ns3:Speed>{3.0 + (i % 5) * 0.1:.1f}</ns3:Speed><ns3:Watts>{p["power"]}</ns3:Watts></ns3:TPX></Extensions>
          </Trackpoint>
""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
  <Activities>
    <Activity Sport="Running">
      <Id>{iso(T0)}</Id>
      <Lap StartTime="{iso(T0)}">
        <TotalTimeSeconds>30</TotalTimeSeconds>
        <DistanceMeters>96</DistanceMeters>
        <AverageHeartRateBpm><Value>134</Value></AverageHeartRateBpm>
        <MaximumHeartRateBpm><Value>145</Value></MaximumHeartRateBpm>
        <Track>
{"".join(pts[:6])}        </Track>
      </Lap>
      <Lap StartTime="{iso(T0 + 30)}">
        <TotalTimeSeconds>30</TotalTimeSeconds>
        <DistanceMeters>96</DistanceMeters>
        <AverageHeartRateBpm><Value>140</Value></AverageHeartRateBpm>
        <MaximumHeartRateBpm><Value>155</Value></MaximumHeartRateBpm>
        <Track>
{"".join(pts[6:])}        </Track>
      </Lap>
      <Notes>Tempo run, felt good</Notes>
    </Activity>
  </Activities>
</TrainingCenterDatabase>
"""


if __name__ == "__main__":
    main()
