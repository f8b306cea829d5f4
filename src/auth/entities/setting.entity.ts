import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Values the service generates once and keeps (the JWT signing secret when none is configured). */
@Entity('settings')
export class SettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 100, primaryKeyConstraintName: 'settings_pkey' })
  name: string;

  @Column({ type: 'text' })
  value: string;
}
