//! Parquet, through the arrow and parquet crates: `ts` (Int64, ms since the epoch), `car`,
//! `driver` (strings), `lap` (UInt32), `topic`, `partition` (Int32), `offset` (Int64),
//! then a nullable Float64 a channel. Each field with a unit has it in its metadata
//! (`unit`). Row groups of `row_group` rows, written as they fill, so memory holds one
//! row group whatever the span; Snappy-compressed. The footer's key-value metadata says
//! what the export counted: `trackside.rows`, `trackside.malformed`,
//! `trackside.unlisted` (JSON, see [`Unlisted`](super::Unlisted)) and
//! `trackside.peak_buffered_records`.

use std::{collections::HashMap, io::Write, sync::Arc};

use arrow_array::{
    ArrayRef, RecordBatch,
    builder::{ArrayBuilder, Float64Builder, Int32Builder, Int64Builder, StringBuilder, UInt32Builder},
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::{
    arrow::ArrowWriter,
    basic::Compression,
    file::{metadata::KeyValue, properties::WriterProperties},
};

use super::{Columns, Row, RowWriter, Summary};

/// Rows turned into one Arrow batch at a time, at most: the writer encodes each batch into
/// the row group it is filling, so the builders hold no more than this.
const BATCH_ROWS: usize = 4_096;

pub(super) struct ParquetWriter {
    writer: ArrowWriter<Box<dyn Write + Send>>,
    schema: SchemaRef,
    batch_rows: usize,
    b: Builders,
}

struct Builders {
    ts: Int64Builder,
    car: StringBuilder,
    driver: StringBuilder,
    lap: UInt32Builder,
    topic: StringBuilder,
    partition: Int32Builder,
    offset: Int64Builder,
    channels: Vec<Float64Builder>,
}

impl ParquetWriter {
    pub(super) fn new(out: Box<dyn Write + Send>, columns: &Columns, row_group: usize) -> std::io::Result<Self> {
        let schema = Arc::new(schema(columns));
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(row_group))
            .build();
        let writer = ArrowWriter::try_new(out, schema.clone(), Some(props)).map_err(std::io::Error::other)?;
        let b = Builders {
            ts: Int64Builder::new(),
            car: StringBuilder::new(),
            driver: StringBuilder::new(),
            lap: UInt32Builder::new(),
            topic: StringBuilder::new(),
            partition: Int32Builder::new(),
            offset: Int64Builder::new(),
            channels: columns.channels.iter().map(|_| Float64Builder::new()).collect(),
        };
        Ok(ParquetWriter { writer, schema, batch_rows: BATCH_ROWS.min(row_group), b })
    }

    /// Hands the rows built so far to the writer, which encodes them into its row group
    /// and writes the group out once it holds `row_group` rows.
    fn flush_batch(&mut self) -> std::io::Result<()> {
        let b = &mut self.b;
        if b.ts.len() == 0 {
            return Ok(());
        }
        let mut arrays: Vec<ArrayRef> = vec![
            Arc::new(b.ts.finish()),
            Arc::new(b.car.finish()),
            Arc::new(b.driver.finish()),
            Arc::new(b.lap.finish()),
            Arc::new(b.topic.finish()),
            Arc::new(b.partition.finish()),
            Arc::new(b.offset.finish()),
        ];
        arrays.extend(b.channels.iter_mut().map(|c| Arc::new(c.finish()) as ArrayRef));
        let batch = RecordBatch::try_new(self.schema.clone(), arrays).map_err(std::io::Error::other)?;
        self.writer.write(&batch).map_err(std::io::Error::other)
    }
}

impl RowWriter for ParquetWriter {
    fn row(&mut self, row: &Row<'_>) -> std::io::Result<()> {
        let (s, b) = (&row.record.sample, &mut self.b);
        b.ts.append_option(s.ts);
        b.car.append_value(&s.car);
        b.driver.append_option(s.driver.as_deref());
        b.lap.append_option(s.lap);
        b.topic.append_value(row.topic);
        b.partition.append_value(row.partition);
        b.offset.append_value(row.record.offset);
        for (builder, v) in b.channels.iter_mut().zip(row.values) {
            builder.append_option(*v);
        }
        if b.ts.len() >= self.batch_rows {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn buffered(&self) -> usize {
        self.b.ts.len() + self.writer.in_progress_rows()
    }

    fn finish(mut self: Box<Self>, summary: &Summary) -> std::io::Result<()> {
        self.flush_batch()?;
        let unlisted = serde_json::to_string(&summary.unlisted).map_err(std::io::Error::other)?;
        for (key, value) in [
            ("trackside.rows", summary.rows.to_string()),
            ("trackside.malformed", summary.malformed.to_string()),
            ("trackside.unlisted", unlisted),
            ("trackside.peak_buffered_records", summary.peak_buffered.to_string()),
        ] {
            self.writer.append_key_value_metadata(KeyValue::new(key.to_owned(), value));
        }
        let mut out = self.writer.into_inner().map_err(std::io::Error::other)?;
        out.flush()
    }
}

/// The file's schema: the fixed columns, then a nullable Float64 a channel, units in each
/// field's metadata.
fn schema(columns: &Columns) -> Schema {
    let with_unit = |field: Field, unit: Option<&str>| match unit {
        Some(unit) => field.with_metadata(HashMap::from([("unit".to_owned(), unit.to_owned())])),
        None => field,
    };
    let mut fields = vec![
        with_unit(Field::new("ts", DataType::Int64, true), Some("ms")),
        Field::new("car", DataType::Utf8, false),
        Field::new("driver", DataType::Utf8, true),
        Field::new("lap", DataType::UInt32, true),
        Field::new("topic", DataType::Utf8, false),
        Field::new("partition", DataType::Int32, false),
        Field::new("offset", DataType::Int64, false),
    ];
    fields.extend(columns.channels.iter().map(|c| with_unit(Field::new(&c.name, DataType::Float64, true), c.unit)));
    Schema::new(fields)
}
